import GRDB
import Model

/// What statistics count a record by, without the person: the occupation, status, workplace region,
/// contract and bottleneck flag of a vacancy; the scheme, referring agency, gender and age band (at
/// the start of training) of a trainee record. Kept for every record received and every record sent.
public struct RecordFacts: Sendable, Equatable {
    public var fiche: String
    public var domain: String
    public var status: String
    public var region: String?
    public var contract: String?
    public var bottleneck: Bool?
    public var scheme: String?
    public var schemeNative: String?
    public var referringAgency: String?
    public var gender: String?
    public var ageBand: String?
    /// Publication date of a vacancy, start of a training.
    public var eventDate: String
    /// A trainee's keyed pseudonym (nil without a payload key, and for vacancies).
    public var personKey: String?

    public init(_ record: CanonicalRecord, pseudonyms: PayloadKey? = nil) {
        switch record {
        case .vacancy(let v):
            (fiche, domain, status, eventDate) = (v.occupation.fiche.rawValue, v.occupation.fiche.domain, v.status.rawValue, v.publicationDate.description)
            (region, contract, bottleneck) = (v.workplace.region.rawValue, v.contract.rawValue, v.bottleneck)
        case .trainee(let t):
            (fiche, domain, status, eventDate) = (t.occupation.fiche.rawValue, t.occupation.fiche.domain, t.status.rawValue, t.period.start.description)
            (scheme, schemeNative, referringAgency) = (t.scheme.type.rawValue, t.scheme.nativeName, t.referringAgency.rawValue)
            gender = t.person.gender.rawValue
            ageBand = AgeBand(age: t.person.birthDate.age(on: t.period.start)).rawValue
            personKey = pseudonyms?.pseudonym(of: t.person.nationalNumber.digits)
        }
    }

    /// The columns, in the order of `values`, that `record`, `received_record` and `routed_record` share.
    static let columns = columns0009 + ["person_key"]
    /// Those that migration 0009 knew (a migration, once released, never changes).
    static let columns0009 = ["fiche", "domain", "status", "region", "contract", "bottleneck", "scheme", "scheme_native", "referring_agency", "gender", "age_band"]

    var values: [(any DatabaseValueConvertible)?] {
        [fiche, domain, status, region, contract, bottleneck, scheme, schemeNative, referringAgency, gender, ageBand, personKey]
    }
}

/// The age bands trainee statistics count by.
public enum AgeBand: String, Sendable, CaseIterable {
    case under25 = "under 25", from25to29 = "25-29", from30to49 = "30-49", from50 = "50+"

    public init(age: Int) {
        switch age {
        case ..<25: self = .under25
        case 25...29: self = .from25to29
        case 30...49: self = .from30to49
        default: self = .from50
        }
    }
}
