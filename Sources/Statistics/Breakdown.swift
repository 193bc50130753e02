/// What a statistic is broken down by: each dimension is a column of the answer.
public enum Breakdown: String, Sendable, CaseIterable, Codable {
    case year, quarter, month, day
    /// The agency a record comes from (vacancy: its origin; trainee: its referring agency).
    case origin
    /// The agency it went to (this gateway's agency, for what it received).
    case destination
    /// A trainee record's training agency.
    case training
    case grandDomain = "grand-domain", domain, fiche, region, contract, bottleneck
    case scheme, status, gender, ageBand = "age-band"

    static let vacancy: [Breakdown] = [.year, .quarter, .month, .day, .origin, .destination, .grandDomain, .domain, .fiche, .region, .contract, .bottleneck, .status]
    static let trainee: [Breakdown] = [.year, .quarter, .month, .origin, .training, .destination, .scheme, .status, .grandDomain, .domain, .fiche, .gender, .ageBand]

    /// The SQL expression of the dimension over a `record` row `r` (received records).
    func expression(destination: String) -> String {
        switch self {
        case .year: "substr(r.received_at, 1, 4)"
        case .quarter: "substr(r.received_at, 1, 4) || '-Q' || ((cast(substr(r.received_at, 6, 2) AS integer) + 2) / 3)"
        case .month: "substr(r.received_at, 1, 7)"
        case .day: "substr(r.received_at, 1, 10)"
        case .origin: "CASE WHEN r.record_type = 'trainee' THEN r.referring_agency ELSE r.origin END"
        case .destination: "'\(destination)'"
        case .training: "r.origin"
        case .grandDomain: "substr(r.fiche, 1, 1)"
        case .domain: "r.domain"
        case .fiche: "r.fiche"
        case .region: "r.region"
        case .contract: "r.contract"
        case .bottleneck: "CASE r.bottleneck WHEN 1 THEN 'yes' WHEN 0 THEN 'no' END"
        case .scheme: "coalesce(r.scheme_native, r.scheme)"
        case .status: "r.status"
        case .gender: "r.gender"
        case .ageBand: "r.age_band"
        }
    }
}

/// How records are counted.
public enum CountingMode: String, Sendable, Codable {
    /// Each record once (agency + id), as its latest version in the window says: resubmissions,
    /// replays, duplicates and updates never inflate a figure.
    case records
    /// Each version received (accepted or duplicate), as the messages went.
    case messages
}
