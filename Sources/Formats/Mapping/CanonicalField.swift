import Model

/// A field of the canonical model that a format mapping can place: the closed list that mapping
/// files name (an unknown name is a start-up error). `item` is the profile's item name, the `field`
/// of a rejection.
public enum CanonicalField: String, Sendable, Hashable, CaseIterable {
    // both record types
    case recordId, version, status
    case occupationScheme, occupationVersion, occupationCode, occupationAppellation, occupationLabel
    case employerName, enterpriseNumber
    // vacancy
    case title, titleLanguage, description, bottleneck, openPositions, contractType, schedule, hoursPerWeek
    case postcode, municipality, languages, publicationDate, closingDate
    // trainee
    case nationalNumber, lastName, firstName, birthDate, gender, referringAgency, trainingAgency, scheme
    case periodStart, periodPlannedEnd, periodActualEnd, linkedVacancyId, linkedVacancyAgency

    /// How values of the field are written in documents.
    public enum Kind: Sendable, Equatable {
        case text, integer, decimal, boolean, date, codes, agency, languages, enterpriseNumber, nationalNumber
    }

    public var kind: Kind {
        switch self {
        case .version, .openPositions: .integer
        case .hoursPerWeek: .decimal
        case .bottleneck: .boolean
        case .publicationDate, .closingDate, .birthDate, .periodStart, .periodPlannedEnd, .periodActualEnd: .date
        case .status, .contractType, .schedule, .gender, .scheme: .codes
        case .referringAgency, .trainingAgency, .linkedVacancyAgency: .agency
        case .languages: .languages
        case .enterpriseNumber: .enterpriseNumber
        case .nationalNumber: .nationalNumber
        default: .text
        }
    }

    /// The record types the field belongs to.
    public var recordTypes: Set<RecordType> {
        switch self {
        case .recordId, .version, .status, .occupationScheme, .occupationVersion, .occupationCode, .occupationAppellation,
             .occupationLabel, .employerName, .enterpriseNumber: [.vacancy, .trainee]
        case .title, .titleLanguage, .description, .bottleneck, .openPositions, .contractType, .schedule, .hoursPerWeek,
             .postcode, .municipality, .languages, .publicationDate, .closingDate: [.vacancy]
        default: [.trainee]
        }
    }

    /// Fields a mapping must place for a record type (the rest are optional in every format).
    public static func required(for type: RecordType) -> [CanonicalField] {
        switch type {
        case .vacancy:
            [.recordId, .version, .status, .title, .titleLanguage, .occupationScheme, .occupationVersion, .occupationCode,
             .bottleneck, .openPositions, .contractType, .schedule, .hoursPerWeek, .employerName, .enterpriseNumber,
             .postcode, .municipality, .publicationDate]
        case .trainee:
            [.recordId, .version, .status, .nationalNumber, .lastName, .firstName, .birthDate, .gender, .referringAgency,
             .trainingAgency, .scheme, .occupationScheme, .occupationVersion, .occupationCode, .periodStart, .periodPlannedEnd]
        }
    }

    /// The canonical values of a code-list field; a mapping's list must cover every one of them.
    /// For `scheme`, in-company schemes are written `IN_COMPANY:<native name>`.
    public func canonicalValues(for type: RecordType) -> [String]? {
        switch self {
        case .status: type == .vacancy ? VacancyStatus.allCases.map(\.rawValue) : TraineeStatus.allCases.map(\.rawValue)
        case .contractType: ContractType.allCases.map(\.rawValue)
        case .schedule: ScheduleType.allCases.map(\.rawValue)
        case .gender: Gender.allCases.map(\.rawValue)
        case .scheme: [TraineeSchemeType.centre.rawValue]
        default: nil
        }
    }

    /// The case's place in `allCases`, without hashing its name: rule lookups are on the hot path.
    /// (A payload-free enum is stored as its case index; a test checks this stays true.)
    @inline(__always)
    public var ordinal: Int { Int(unsafeBitCast(self, to: UInt8.self)) }

    /// The profile's item name: what a rejection names in `field`.
    public var item: String {
        switch self {
        case .occupationScheme, .occupationVersion, .occupationCode, .occupationLabel: "occupation"
        case .titleLanguage: "title"
        case .periodStart, .periodPlannedEnd, .periodActualEnd: "period"
        case .linkedVacancyId, .linkedVacancyAgency: "linkedVacancy"
        default: rawValue
        }
    }
}
