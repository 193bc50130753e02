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

    /// The fields that hold a person's data (the last step of `field`): their faults are described,
    /// never quoted — the readers' messages repeat what they were given, which here is personal data.
    public static let personalFields: Set<String> = ["nationalNumber", "lastName", "firstName", "birthDate"]

    public init(_ field: String, _ code: RejectionCode, _ message: String) {
        self.field = field
        self.code = code
        self.message = message
        if let last = field.split(separator: ".").last, Self.personalFields.contains(String(last)) { self = redacted }
    }

    /// This fault without its message's words, which may quote the value: what is wrong, said by
    /// its code (a missing field has no value to hide, and keeps its message).
    public var redacted: FieldError {
        guard code != .missingField else { return self }
        var copy = self
        let what = String(field.split(separator: ".").last ?? Substring(field))
        copy.message = switch code {
        case .invalidDate: "the \(what) is not a real date in the format expected (the value is personal data and is not repeated)"
        case .invalidNationalNumber: "the \(what) is not a valid national number (the value is personal data and is not repeated)"
        default: "the \(what) is not valid — too long, badly spaced or not one of the values allowed (the value is personal data and is not repeated)"
        }
        return copy
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
