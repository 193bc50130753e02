/// An ISO 639-1 language code, held in lower case (the regional formats write either case).
public struct LanguageCode: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init?(rawValue: String) {
        let lower = rawValue.lowercased()
        guard lower.utf8.count == 2, lower.utf8.allSatisfy({ (97...122).contains($0) }) else { return nil }
        self.rawValue = lower
    }

    public init(_ text: String, field: String = "languages") throws(FieldError) {
        guard !text.isEmpty else { throw FieldError(field, .missingField, "a language code is missing") }
        guard let code = LanguageCode(rawValue: text) else {
            throw FieldError(field, .invalidValue, "'\(text.prefix(16))' is not an ISO 639-1 language code (two letters)")
        }
        self = code
    }

    public static let dutch = LanguageCode(rawValue: "nl")!
    public static let french = LanguageCode(rawValue: "fr")!
    public static let german = LanguageCode(rawValue: "de")!

    public var description: String { rawValue }
    public static func < (a: LanguageCode, b: LanguageCode) -> Bool { a.rawValue < b.rawValue }
}

/// A level of the Common European Framework of Reference for Languages.
public enum CEFRLevel: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    case a1 = "A1", a2 = "A2", b1 = "B1", b2 = "B2", c1 = "C1", c2 = "C2"

    public init(_ text: String, field: String = "languages") throws(FieldError) {
        guard !text.isEmpty else { throw FieldError(field, .missingField, "a language level is missing") }
        guard let level = CEFRLevel(rawValue: text.uppercased()) else {
            throw FieldError(field, .invalidValue, "'\(text.prefix(16))' is not a CEFR level (A1, A2, B1, B2, C1, C2)")
        }
        self = level
    }

    public static func < (a: CEFRLevel, b: CEFRLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One language a vacancy asks for, at a level.
public struct LanguageRequirement: Hashable, Sendable {
    public var language: LanguageCode
    public var level: CEFRLevel

    public init(language: LanguageCode, level: CEFRLevel) {
        self.language = language
        self.level = level
    }
}
