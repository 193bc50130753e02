/// An ISO 639-1 language code, held in lower case (the regional formats write either case).
public struct LanguageCode: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// A code of the list, in either case; nil for anything else (`"zz"` has the form, not the meaning).
    public init?(rawValue: String) {
        guard rawValue.utf8.count == 2 else { return nil }
        let lower = rawValue.utf8.allSatisfy { (0x61...0x7A).contains($0) } ? rawValue : rawValue.lowercased()
        guard Self.iso639_1.contains(lower) else { return nil }
        self.rawValue = lower
    }

    public init(_ text: String, field: String = "languages") throws(FieldError) {
        guard !text.isEmpty else { throw FieldError(field, .missingField, "a language code is missing") }
        guard let code = LanguageCode(rawValue: text) else {
            throw FieldError(field, .invalidValue, "'\(text.prefix(16))' is not an ISO 639-1 language code")
        }
        self = code
    }

    /// The ISO 639-1 codes, as HR Open's `LanguageCodeList` lists them (its two-letter entries:
    /// `exchange-records.md` §2 requires a code "present in HR Open LanguageCodeList"; a test
    /// compares this list with the schema's where `../shared/data` is present).
    public static let iso639_1: Set<String> = [
        "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh", "bi", "bm",
        "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz", "ee",
        "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu",
        "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is",
        "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw",
        "ky", "la", "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mo", "mr",
        "ms", "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or",
        "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si",
        "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk",
        "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh",
        "yi", "yo", "za", "zh", "zu"
    ]

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
