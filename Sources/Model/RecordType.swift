/// The kinds of record a format holds.
public enum RecordType: String, Sendable, Hashable, CaseIterable, Codable {
    case vacancy, trainee
}
