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

        /// Every record was one already held: nothing new, nothing refused.
        public var onlyDuplicates: Bool { records > 0 && duplicates == records }
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

        enum CodingKeys: String, CodingKey { case index, recordId, field, code, message }

        /// Read leniently (clarification 9): a `recordId` that is null or absent is kept as "" with
        /// the rejection's `index`, which names the record in the batch; so are an absent `field`
        /// and `message`.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            index = try c.decode(Int.self, forKey: .index)
            recordId = try c.decodeIfPresent(String.self, forKey: .recordId) ?? ""
            field = try c.decodeIfPresent(String.self, forKey: .field) ?? ""
            code = try c.decode(String.self, forKey: .code)
            message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
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
        self.result = Self.result(of: counts)
    }

    static func result(of counts: Counts) -> String {
        counts.rejected == 0 ? "succeeded" : counts.rejected == counts.records ? "failed" : "partiallyFailed"
    }

    enum CodingKeys: String, CodingKey { case batchId, receiptId, receivedAt, bodySha256, processingStatus, result, counts, rejected }

    /// Read as a sender reads a peer's receipt (clarification 9): `batchId`, `bodySha256` and
    /// `counts` are required (rule 3 checks them), and `receiptId` and `receivedAt` (reconcile's
    /// window is the receipts' time); an absent `rejected` is an empty list when
    /// `counts.rejected` is 0 (and a fault otherwise); an absent `processingStatus` or `result` is
    /// what the counts say; members this gateway does not know are ignored.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        batchId = try c.decode(String.self, forKey: .batchId)
        bodySha256 = try c.decode(String.self, forKey: .bodySha256)
        counts = try c.decode(Counts.self, forKey: .counts)
        receiptId = try c.decode(String.self, forKey: .receiptId)
        receivedAt = try c.decode(String.self, forKey: .receivedAt)
        processingStatus = try c.decodeIfPresent(String.self, forKey: .processingStatus) ?? "completed"
        result = try c.decodeIfPresent(String.self, forKey: .result) ?? Self.result(of: counts)
        if let rejected = try c.decodeIfPresent([Rejection].self, forKey: .rejected) {
            self.rejected = rejected
        } else {
            guard counts.rejected == 0 else {
                throw DecodingError.keyNotFound(CodingKeys.rejected, .init(codingPath: c.codingPath,
                                                debugDescription: "counts.rejected is \(counts.rejected) but the receipt lists no rejections"))
            }
            self.rejected = []
        }
    }
}
