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
    /// What the receiver did with it: accepted, or rejected with the code (records received).
    case outcome

    public static let vacancy: [Breakdown] = [.year, .quarter, .month, .day, .origin, .destination, .grandDomain, .domain, .fiche, .region, .contract, .bottleneck,
                                       .status, .outcome]
    public static let trainee: [Breakdown] = [.year, .quarter, .month, .origin, .training, .destination, .scheme, .status, .grandDomain, .domain, .fiche,
                                       .gender, .ageBand, .outcome]
    /// What the monthly counts (`flow_month`) can answer.
    static let monthly: Set<Breakdown> = [.year, .quarter, .month, .origin, .destination, .training]
    /// What is known of a record that was refused: who sent it, when, and why.
    static let ofRefused: Set<Breakdown> = [.year, .quarter, .month, .day, .origin, .destination, .outcome]

    /// The SQL expression of the dimension over a source's row `r`.
    func expression(in source: FlowSource) -> String {
        let at = source.time
        switch self {
        case .year: return "substr(\(at), 1, 4)"
        case .quarter: return "substr(\(at), 1, 4) || '-Q' || ((cast(substr(\(at), 6, 2) AS integer) + 2) / 3)"
        case .month: return "substr(\(at), 1, 7)"
        case .day: return "substr(\(at), 1, 10)"
        case .origin: return source.origin
        case .destination: return source.destination
        case .training: return source.training
        case .grandDomain: return "substr(r.fiche, 1, 1)"
        case .domain: return "r.domain"
        case .fiche: return "r.fiche"
        case .region: return "r.region"
        case .contract: return "r.contract"
        case .bottleneck: return "CASE r.bottleneck WHEN 1 THEN 'yes' WHEN 0 THEN 'no' END"
        case .scheme: return "coalesce(r.scheme_native, r.scheme)"
        case .status: return "r.status"
        case .gender: return "r.gender"
        case .ageBand: return "r.age_band"
        case .outcome: return source.outcome
        }
    }
}

/// How records are counted.
public enum CountingMode: String, Sendable, Codable {
    /// Each record once (agency + id), in the period it was first exchanged, as its latest version
    /// describes it: resubmissions, replays, duplicates and updates never inflate a figure, and the
    /// periods add up (a record of 2019 updated in 2020 is a record of 2019).
    case records
    /// Each version exchanged (accepted or duplicate), in the period it was, as it described it.
    case messages
    /// Each person once (trainee records), through their keyed pseudonym: a trainee who followed two
    /// trainings is one person. The ledger keeps the pseudonym, never who it is.
    case persons
}
