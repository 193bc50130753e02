import ExchangeProtocol
import Model

/// A received batch whose accepted records are still to be handed to the back office.
public struct PendingDelivery: Sendable {
    public var batchId: String
    public var sender: Agency
    public var recordType: RecordType
    public var body: [UInt8]
    public var form: BatchForm
    /// Positions (in the batch) of the records accepted: only they are delivered.
    public var accepted: Set<Int>

    public init(batchId: String, sender: Agency, recordType: RecordType, body: [UInt8], form: BatchForm, accepted: Set<Int>) {
        self.batchId = batchId
        self.sender = sender
        self.recordType = recordType
        self.body = body
        self.form = form
        self.accepted = accepted
    }
}
