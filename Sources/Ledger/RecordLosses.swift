/// What one record lost on its way into the back office's format: its position in the batch, its
/// id, and each loss, a sentence.
public struct RecordLosses: Sendable, Equatable, Codable {
    public var index: Int
    public var recordId: String
    public var losses: [String]
    public init(index: Int, recordId: String, losses: [String]) {
        self.index = index
        self.recordId = recordId
        self.losses = losses
    }
}
