import ExchangeProtocol
import Formats
import Model

/// What the exchange tells whoever watches it (metrics), without knowing how they are kept.
public protocol ExchangeObserver: Sendable {
    /// A batch was answered: `result` is the receipt's result, `replayed`, or the refusal's status.
    func batchReceived(from peer: Agency?, type: RecordType?, result: String, counts: Receipt.Counts?)
    /// An attempt to send a batch ended: `delivered`, `retried` or `failed`; `waited` is the time
    /// since its first attempt when delivered.
    func batchSent(to peer: Agency, type: RecordType, result: String, waited: Duration?)
    /// How many batches wait in the outbox.
    func outboxDepth(_ queued: Int)
}

/// Watches nothing.
public struct NoObserver: ExchangeObserver {
    public init() {}
    public func batchReceived(from peer: Agency?, type: RecordType?, result: String, counts: Receipt.Counts?) {}
    public func batchSent(to peer: Agency, type: RecordType, result: String, waited: Duration?) {}
    public func outboxDepth(_ queued: Int) {}
}
