import Foundation
import Formats
import Model

/// A batch as the receiving gateway has it after reading and checking it: the envelope, the digest
/// of the request body, and each record decoded or rejected, in order.
public struct IncomingBatch: Sendable {
    public var batchId: String
    public var sender: Agency
    public var recordType: RecordType
    public var bodySha256: String
    public var receivedAt: Date
    public var records: [Decoded]
    /// The body as received and its form, kept for delivery to the back office.
    public var body: [UInt8]
    public var form: ExchangeFormat.Form

    public init(batchId: String, sender: Agency, recordType: RecordType, bodySha256: String, receivedAt: Date, records: [Decoded],
                body: [UInt8] = [], form: ExchangeFormat.Form = .json) {
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

/// What receiving a batch came to.
public enum ReceiveOutcome: Equatable, Sendable {
    /// A new batch: stored with its records; its receipt, and the positions of the records accepted
    /// (the ones to hand to the back office).
    case stored(Receipt, accepted: [Int])
    /// The same batch id with the same body again: nothing stored twice; the stored receipt.
    case replayed(Receipt)
    /// The same batch id with another body (409).
    case conflict
}

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

/// What one record lost on its way into the back office's format: its position in the batch, its
/// id, and each loss, a sentence.
public struct RecordLosses: Sendable, Equatable, Codable {
    public var index: Int
    public var recordId: String
    public var losses: [String]
    public init(index: Int, recordId: String, losses: [String]) {
        self.index = index
        self.recordId = recordId
        self.losses = losses
    }
}

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

/// One batch in a manifest (`GET /exchange/v1/manifest`).
public struct ManifestEntry: Codable, Hashable, Sendable {
    public var batchId: String
    public var bodySha256: String
    public var receivedAt: String
    public var counts: Receipt.Counts
    public init(batchId: String, bodySha256: String, receivedAt: String, counts: Receipt.Counts) {
        self.batchId = batchId
        self.bodySha256 = bodySha256
        self.receivedAt = receivedAt
        self.counts = counts
    }
}

/// The manifest's answer.
public struct Manifest: Codable, Hashable, Sendable {
    public var sender: String
    public var receiver: String
    public var since: String
    public var until: String
    public var batches: [ManifestEntry]
}

/// A received batch whose accepted records are still to be handed to the back office.
public struct PendingDelivery: Sendable {
    public var batchId: String
    public var sender: Agency
    public var recordType: RecordType
    public var body: [UInt8]
    public var form: ExchangeFormat.Form
    /// Positions (in the batch) of the records accepted: only they are delivered.
    public var accepted: Set<Int>

    public init(batchId: String, sender: Agency, recordType: RecordType, body: [UInt8], form: ExchangeFormat.Form, accepted: Set<Int>) {
        self.batchId = batchId
        self.sender = sender
        self.recordType = recordType
        self.body = body
        self.form = form
        self.accepted = accepted
    }
}

extension DeliveryLedger {
    /// Every batch still to hand over, with its body.
    public func pendingDeliveries() async throws -> [PendingDelivery] {
        var pending: [PendingDelivery] = []
        for batch in try await undeliveredBatches() { if let p = try await pendingDelivery(batch.batchId) { pending.append(p) } }
        return pending
    }
}

/// The ledger's side of delivery: what is pending, and marking it done.
public protocol DeliveryLedger: Sendable {
    /// The batches received and not yet handed to the back office, oldest first, without their bodies.
    func undeliveredBatches() async throws -> [(batchId: String, sender: Agency)]
    func pendingDeliveries() async throws -> [PendingDelivery]
    func pendingDelivery(_ batchId: String) async throws -> PendingDelivery?
    /// Whether a received batch was handed to the back office already.
    func isDelivered(_ batchId: String) async throws -> Bool
    /// Takes a pending batch for delivery by this process; false if another replica holds it now
    /// (several replicas share one ledger; with one process, its own earlier claims give way).
    func claimDelivery(_ batchId: String, now: Date) async throws -> Bool
    /// Notes a batch handed to the back office, with what its format lost of each record (kept for
    /// the batch's view).
    func markDelivered(_ batchId: String, to destination: String, at: Date, losses: [RecordLosses]) async throws
}
