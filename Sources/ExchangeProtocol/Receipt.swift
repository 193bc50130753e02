/// What a receiver answers for a batch, once everything in it is stored (`exchange-protocol.md`,
/// Receipt). Field names and vocabulary are the protocol's; the JSON form is the wire form.
public struct Receipt: Codable, Hashable, Sendable {
    public struct Counts: Codable, Hashable, Sendable {
        public var records: Int
        public var accepted: Int
        public var duplicates: Int
        public var rejected: Int
        public init(records: Int, accepted: Int, duplicates: Int, rejected: Int) {
            self.records = records
            self.accepted = accepted
            self.duplicates = duplicates
            self.rejected = rejected
        }
    }

    public struct Rejection: Codable, Hashable, Sendable {
        public var index: Int
        public var recordId: String
        public var field: String
        public var code: String
        public var message: String
        public init(index: Int, recordId: String, field: String, code: String, message: String) {
            self.index = index
            self.recordId = recordId
            self.field = field
            self.code = code
            self.message = message
        }
    }

    public var batchId: String
    public var receiptId: String
    public var receivedAt: String
    public var bodySha256: String
    /// HR Open ConfirmMessage vocabulary: always `completed` once a receipt exists.
    public var processingStatus: String
    /// `succeeded` (nothing rejected), `partiallyFailed`, or `failed` (everything rejected).
    public var result: String
    public var counts: Counts
    public var rejected: [Rejection]

    public init(batchId: String, receiptId: String, receivedAt: String, bodySha256: String, counts: Counts, rejected: [Rejection]) {
        self.batchId = batchId
        self.receiptId = receiptId
        self.receivedAt = receivedAt
        self.bodySha256 = bodySha256
        self.processingStatus = "completed"
        self.counts = counts
        self.rejected = rejected
        self.result = counts.rejected == 0 ? "succeeded" : counts.rejected == counts.records ? "failed" : "partiallyFailed"
    }
}
