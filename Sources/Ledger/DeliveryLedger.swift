import Foundation
import Model

/// The ledger's side of delivery: what is pending, and marking it done.
public protocol DeliveryLedger: Sendable {
    /// The batches received and not yet handed to the back office, oldest first, without their bodies.
    func undeliveredBatches() async throws -> [(batchId: String, sender: Agency)]
    func pendingDeliveries() async throws -> [PendingDelivery]
    func pendingDelivery(_ batchId: String, from sender: Agency) async throws -> PendingDelivery?
    /// Whether a received batch was handed to the back office already. A received batch is named
    /// by its id and its sender (migration 0016): two senders may use one id.
    func isDelivered(_ batchId: String, from sender: Agency) async throws -> Bool
    /// Takes a pending batch for delivery by this process; false if another replica holds it now
    /// (several replicas share one ledger; with one process, its own earlier claims give way).
    func claimDelivery(_ batchId: String, from sender: Agency, now: Date) async throws -> Bool
    /// Notes a batch handed to the back office, with what its format lost of each record (kept for
    /// the batch's view).
    func markDelivered(_ batchId: String, from sender: Agency, to destination: String, at: Date, losses: [RecordLosses]) async throws
}

extension DeliveryLedger {
    /// Every batch still to hand over, with its body.
    public func pendingDeliveries() async throws -> [PendingDelivery] {
        var pending: [PendingDelivery] = []
        for batch in try await undeliveredBatches() { if let p = try await pendingDelivery(batch.batchId, from: batch.sender) { pending.append(p) } }
        return pending
    }
}
