/// What the receiver did with one record of a batch (`batch_record.outcome`): took it as a new
/// version, found the version held already, or refused it (with a field, a code and a message).
public enum RecordOutcome: String, Sendable, Codable, CaseIterable {
    case accepted, duplicate, rejected
}
