/// A record id as its owning agency assigned it: 1–64 characters of `[A-Za-z0-9._/-]`,
/// starting with a letter or a digit (`exchange-records.md` §1).
public struct RecordID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init?(rawValue: String) {
        let bytes = Array(rawValue.utf8)
        guard (1...64).contains(bytes.count), Self.isAlphanumeric(bytes[0]),
              bytes.allSatisfy({ Self.isAlphanumeric($0) || $0 == 46 || $0 == 95 || $0 == 47 || $0 == 45 })
        else { return nil }
        self.rawValue = rawValue
    }

    public init(_ text: String, field: String = "recordId") throws(FieldError) {
        guard !text.isEmpty else { throw FieldError(field, .missingField, "the record id is missing") }
        guard let id = RecordID(rawValue: text) else {
            throw FieldError(field, .invalidValue,
                             "a record id has 1 to 64 characters among letters, digits, '.', '_', '/' and '-', and starts with a letter or digit")
        }
        self = id
    }

    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (48...57).contains(b) || (65...90).contains(b) || (97...122).contains(b)
    }

    public var description: String { rawValue }
    public static func < (a: RecordID, b: RecordID) -> Bool { a.rawValue < b.rawValue }
}

/// A record's version: a positive integer that grows with every change at the origin.
public struct RecordVersion: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int

    /// The profile writes versions with at most nine digits (`^[1-9][0-9]{0,8}$`).
    public static let maximum = 999_999_999

    public init?(rawValue: Int) {
        guard (1...Self.maximum).contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public init(_ value: Int, field: String = "version") throws(FieldError) {
        guard let v = RecordVersion(rawValue: value) else {
            throw FieldError(field, .invalidValue, "a version is an integer from 1 to \(Self.maximum), got \(value)")
        }
        self = v
    }

    /// Parses the decimal form without leading zeros, as the profile writes it.
    public init(decimal text: String, field: String = "version") throws(FieldError) {
        guard !text.isEmpty else { throw FieldError(field, .missingField, "the version is missing") }
        guard text.utf8.first != 48, text.utf8.count <= 9, text.utf8.allSatisfy({ (48...57).contains($0) }),
              let n = Int(text) else {
            throw FieldError(field, .invalidValue, "a version is a positive integer without leading zeros, got '\(text.prefix(20))'")
        }
        try self.init(n, field: field)
    }

    public var description: String { String(rawValue) }
    public static func < (a: RecordVersion, b: RecordVersion) -> Bool { a.rawValue < b.rawValue }
}
