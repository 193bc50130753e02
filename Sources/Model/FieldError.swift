/// The record-level rejection codes of `exchange-protocol.md`, spelled exactly as in receipts.
public enum RejectionCode: String, Sendable, Hashable, CaseIterable, Codable {
    case missingField = "MISSING_FIELD"
    case invalidValue = "INVALID_VALUE"
    case invalidDate = "INVALID_DATE"
    case unknownOccupation = "UNKNOWN_OCCUPATION"
    case occupationMismatch = "OCCUPATION_MISMATCH"
    case invalidEnterpriseNumber = "INVALID_ENTERPRISE_NUMBER"
    case invalidNationalNumber = "INVALID_NATIONAL_NUMBER"
    case invalidPostcode = "INVALID_POSTCODE"
    case versionConflict = "VERSION_CONFLICT"
    case staleVersion = "STALE_VERSION"
}

/// Why one field of one record cannot be accepted.
///
/// `field` is the profile's item name (`enterpriseNumber`, `closingDate`, …), the value that a
/// receipt's rejection carries in `field`. `message` is written for a person and never repeats
/// personal data (a national number, a name or a birth date is described, not quoted).
public struct FieldError: Error, Hashable, Sendable, CustomStringConvertible {
    public var field: String
    public var code: RejectionCode
    public var message: String

    public init(_ field: String, _ code: RejectionCode, _ message: String) {
        self.field = field
        self.code = code
        // A birth date that cannot be read is described, never quoted: the date readers' messages
        // repeat what they were given, which here is personal data.
        if field.split(separator: ".").last == "birthDate" && code != .missingField {
            self.message = "the birth date is not a real date in the format expected (the value is personal data and is not repeated)"
        } else {
            self.message = message
        }
    }

    public var description: String { "\(field): \(code.rawValue): \(message)" }
}

/// A record rejected alone, as a receipt lists it: its id, the field, the code and the message.
public struct RecordRejection: Hashable, Sendable, Codable {
    public var recordId: String
    public var field: String
    public var code: RejectionCode
    public var message: String

    public init(recordId: String, error: FieldError) {
        self.recordId = recordId
        self.field = error.field
        self.code = error.code
        self.message = error.message
    }
}
