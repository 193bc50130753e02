import Foundation
import Model

/// A batch as the receiving gateway has it after reading and checking it: the envelope, the digest
/// of the request body, and each record decoded or rejected, in order.
public struct IncomingBatch: Sendable {
    public var batchId: String
    public var sender: Agency
    public var recordType: RecordType
    public var bodySha256: String
    public var receivedAt: Date
    public private(set) var records: [Decoded]
    /// Each decoded record's content digest, in order (nil where it was rejected): SHA-256 of its
    /// exchange-profile JSON, so that the same content gives the same digest whatever form it came
    /// in. Formats' `init(…records:…)` without this argument computes them.
    public private(set) var contentDigests: [String?]
    /// The body as received and its form, kept for delivery to the back office.
    public var body: [UInt8]
    public var form: BatchForm

    public init(batchId: String, sender: Agency, recordType: RecordType, bodySha256: String, receivedAt: Date, records: [Decoded],
                contentDigests: [String?], body: [UInt8] = [], form: BatchForm = .json) {
        precondition(contentDigests.count == records.count, "one content digest per record")
        self.contentDigests = contentDigests
        self.body = body
        self.form = form
        self.batchId = batchId
        self.sender = sender
        self.recordType = recordType
        self.bodySha256 = bodySha256
        self.receivedAt = receivedAt
        self.records = records
    }
}
