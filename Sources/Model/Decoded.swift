/// A record read from a document: the canonical record, or every fault found in it.
public struct Decoded: Sendable {
    /// The record id as the document gives it (or `#n` for a record without one).
    public var recordId: String
    public var record: CanonicalRecord?
    public var errors: [FieldError]
    /// What reading the record could not carry into the canonical model (listed, never silent).
    public var losses: [String]
    /// What reading noticed for staff without refusing the record: a received record's source code
    /// that this gateway's own table resolves to another fiche than the pivot sent (clarification
    /// 6). Kept with the record's outcome in the ledger, never in the receipt.
    public var notes: [FieldError]

    public init(recordId: String, record: CanonicalRecord?, errors: [FieldError], losses: [String] = [], notes: [FieldError] = []) {
        self.recordId = recordId
        self.record = record
        self.errors = errors
        self.losses = losses
        self.notes = notes
    }
}
