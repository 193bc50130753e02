import Formats
import Model

/// One rule of a gateway's routing: which of its agency's records go to which peers. A record goes
/// to every peer of every rule it meets; within a rule every condition given must hold, and a list
/// is met by any of its values.
///
/// ```yaml
/// routes:
///   - type: vacancy
///     to: [VDAB, ACTIRIS]
///     when: { bottleneck: true }
///   - type: vacancy
///     to: [ADG]
///     when: { region: [WALLONIA, GERMAN_SPEAKING_COMMUNITY], openDays: 14 }
///   - type: trainee
///     to: referring
/// ```
public struct RoutingRule: Sendable, Equatable {
    public enum Destination: Sendable, Equatable {
        case peers(Set<Agency>)
        /// A trainee record's referring agency.
        case referring
    }

    public var recordType: RecordType
    public var destination: Destination
    /// The occupation is on the bottleneck list (vacancies).
    public var bottleneck: Bool?
    /// Open for at least this many days: from publication to closing date; a vacancy without a
    /// closing date is open for as long as it takes (vacancies).
    public var minimumOpenDays: Int?
    /// The workplace's region (vacancies).
    public var regions: Set<Region>?
    /// The occupation's grand domaine (`M`), domaine (`M18`) or fiche (`M1805`), by prefix.
    public var occupations: [String]?
    /// The record's status (`OPEN`, `STARTED`, …).
    public var statuses: Set<String>?

    public init(recordType: RecordType, destination: Destination, bottleneck: Bool? = nil, minimumOpenDays: Int? = nil,
                regions: Set<Region>? = nil, occupations: [String]? = nil, statuses: Set<String>? = nil) {
        self.recordType = recordType
        self.destination = destination
        self.bottleneck = bottleneck
        self.minimumOpenDays = minimumOpenDays
        self.regions = regions
        self.occupations = occupations
        self.statuses = statuses
    }

    /// The peers this rule sends the record to (empty when the record does not meet it).
    public func destinations(of record: CanonicalRecord) -> Set<Agency> {
        guard record.recordType == recordType, matches(record) else { return [] }
        switch (destination, record) {
        case (.peers(let peers), _): return peers
        case (.referring, .trainee(let t)): return [t.referringAgency]
        case (.referring, .vacancy): return []
        }
    }

    func matches(_ record: CanonicalRecord) -> Bool {
        let fiche: String, status: String
        switch record {
        case .vacancy(let v):
            fiche = v.occupation.fiche.rawValue
            status = v.status.rawValue
            if let bottleneck, v.bottleneck != bottleneck { return false }
            if let regions, !regions.contains(v.workplace.region) { return false }
            if let minimumOpenDays, let closing = v.closingDate, closing.daysSince(v.publicationDate) < minimumOpenDays { return false }
        case .trainee(let t):
            fiche = t.occupation.fiche.rawValue
            status = t.status.rawValue
            if bottleneck != nil || regions != nil || minimumOpenDays != nil { return false }
        }
        if let occupations, !occupations.contains(where: { fiche.hasPrefix($0) }) { return false }
        if let statuses, !statuses.contains(status) { return false }
        return true
    }
}

/// A gateway's routing: its rules, and the memory of where each record went before — an update or a
/// closure follows a record to every peer that had it, whatever the rules say of the new version.
public struct Routing: Sendable, Equatable {
    public var rules: [RoutingRule]
    public init(rules: [RoutingRule]) { self.rules = rules }

    /// The peers a record goes to: those of the rules it meets and those that had an earlier
    /// version, less the agency itself.
    public func destinations(of record: CanonicalRecord, from agency: Agency, hadBefore: some Collection<Agency>) -> Set<Agency> {
        var result = Set(hadBefore)
        for rule in rules { result.formUnion(rule.destinations(of: record)) }
        result.remove(agency)
        return result
    }
}
