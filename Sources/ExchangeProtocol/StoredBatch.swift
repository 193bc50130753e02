import Model

/// A batch just stored, as the receiving side hands it on once its receipt is committed: the
/// records accepted, in order (duplicates and refused records left out), and their positions in
/// the batch.
public struct StoredBatch: Sendable {
    public var batchId: String
    public var sender: Agency
    public var recordType: RecordType
    public var accepted: [CanonicalRecord]
    /// Each accepted record's position in the batch (what its losses are listed under).
    public var positions: [Int]
    public init(batchId: String, sender: Agency, recordType: RecordType, accepted: [CanonicalRecord], positions: [Int]? = nil) {
        self.batchId = batchId
        self.sender = sender
        self.recordType = recordType
        self.accepted = accepted
        self.positions = positions ?? Array(accepted.indices)
    }
}
