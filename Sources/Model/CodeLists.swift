/// The canonical code lists of `regional-formats.md`. Each raw value is the canonical spelling;
/// the regional spellings live in `mappings/`, not here.

public enum VacancyStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case open = "OPEN", filled = "FILLED", cancelled = "CANCELLED"
}

public enum ContractType: String, Sendable, Hashable, CaseIterable, Codable {
    case permanent = "PERMANENT", fixedTerm = "FIXED_TERM", tempAgency = "TEMP_AGENCY", replacement = "REPLACEMENT"
}

public enum ScheduleType: String, Sendable, Hashable, CaseIterable, Codable {
    case fullTime = "FULL_TIME", partTime = "PART_TIME"
}

public enum TraineeSchemeType: String, Sendable, Hashable, CaseIterable, Codable {
    case inCompany = "IN_COMPANY", centre = "CENTRE"
}

public enum TraineeStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case requested = "REQUESTED", signed = "SIGNED", started = "STARTED"
    case completed = "COMPLETED", terminated = "TERMINATED", cancelled = "CANCELLED"

    /// A training that ended, early or not, has an actual end date; no other status has one.
    public var hasEnded: Bool { self == .completed || self == .terminated }
}

public enum Gender: String, Sendable, Hashable, CaseIterable, Codable {
    case male = "M", female = "F", other = "X"
}

extension RawRepresentable where RawValue == String, Self: CaseIterable {
    /// Reads a canonical value; a value outside the list is `INVALID_VALUE`, never a guess.
    public init(canonical text: String, field: String) throws(FieldError) {
        guard !text.isEmpty else { throw FieldError(field, .missingField, "\(field) is missing") }
        guard let value = Self(rawValue: text) else {
            let allowed = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw FieldError(field, .invalidValue, "'\(text.prefix(32))' is not one of \(allowed)")
        }
        self = value
    }
}
