/// A record of either type, as translations carry it.
public enum CanonicalRecord: Hashable, Sendable {
    case vacancy(Vacancy)
    case trainee(TraineeRecord)

    public var id: RecordID {
        switch self {
        case .vacancy(let v): v.id
        case .trainee(let t): t.id
        }
    }

    public var version: RecordVersion {
        switch self {
        case .vacancy(let v): v.version
        case .trainee(let t): t.version
        }
    }

    public var recordType: RecordType {
        switch self {
        case .vacancy: .vacancy
        case .trainee: .trainee
        }
    }

    /// The agency that owns the record: a vacancy's origin, a trainee record's training agency.
    public var owner: Agency {
        switch self {
        case .vacancy(let v): v.origin
        case .trainee(let t): t.trainingAgency
        }
    }
}
