import Foundation
import Model

/// Where a receiving gateway keeps what it received: the ledger, or memory in tests.
public protocol ReceivedBatchStore: Sendable {
    /// Stores a batch and its records atomically and returns the receipt (or the replayed one, or
    /// the conflict); the receipt exists only once everything is committed.
    func receive(_ batch: IncomingBatch) async throws -> ReceiveOutcome
    /// The stored receipt of a batch received from `sender`, if any (another peer's is not shown).
    func receipt(ofReceived batchId: String, from sender: Agency) async throws -> Receipt?
    /// Every batch received from `sender` at or after `since` and before `until`, oldest first.
    func manifest(from sender: Agency, since: Date, until: Date) async throws -> [ManifestEntry]
}
