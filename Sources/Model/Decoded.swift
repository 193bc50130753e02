/// A record read from a document: the canonical record, or every fault found in it.
public struct Decoded: Sendable {
    /// The record id as the document gives it (or `#n` for a record without one).
    public var recordId: String
    public var record: CanonicalRecord?
    public var errors: [FieldError]
    /// What reading the record could not carry into the canonical model (listed, never silent).
    public var losses: [String]

    public init(recordId: String, record: CanonicalRecord?, errors: [FieldError], losses: [String] = []) {
        self.recordId = recordId
        self.record = record
        self.errors = errors
        self.losses = losses
    }
}
