import ExchangeProtocol
import Foundation
import Model
import Taxonomy

/// The gateway's ledger, whatever holds it: `SQLiteStore` (one process, the default) or
/// `PostgresStore` (several replicas of one gateway on one database). Everything the gateway, its
/// operators and its statistics ask of the ledger is here; both stores answer the same questions
/// the same way, and the ledger test suite runs against both.
///
/// What must hold across replicas is held by the database, not the process: unique keys make a
/// batch id and a record version one row whatever replica wrote it; claims with a lease (`Lease`)
/// make a batch sent, or delivered, by one replica at a time; `exclusively` runs scheduled work
/// on one replica at a time.
public protocol LedgerStore: ReceivedBatchStore, DeliveryLedger, OutboxStore, TaxonomyStore, Sendable {
    /// What and where the store is, for logs and errors (no password).
    var name: String { get }
    /// The SQL the statistics write for it.
    var dialect: SQLDialect { get }
    /// The key payloads are sealed with, which also makes the persons' pseudonyms (nil: none).
    var payloadKeyInForce: PayloadKey? { get }
    /// The migrations this store holds, in order.
    func appliedMigrations() async throws -> [String]
    /// Runs `body` if no other replica is running the job `job` now, and answers its result; nil
    /// (without running it) if one is. Scheduled work (pick-up, reconcile, retention) runs so.
    func exclusively<T: Sendable>(_ job: String, _ body: @Sendable () async throws -> T) async throws -> T?

    // MARK: the outbox

    /// Writes a batch to send; it is due at once.
    func enqueue(batchId: String, to peer: Agency, recordType: RecordType, body: [UInt8], form: BatchForm,
                 resubmissionOf: String?, now: Date) async throws
    /// The operators' pause switch for a peer: a paused peer's batches wait, queued.
    func setPaused(_ paused: Bool, peer: Agency) async throws
    /// A sent batch's state and last answer.
    func outgoingState(_ batchId: String) async throws -> OutgoingState?

    // MARK: pick-up

    /// The entry of a document picked up before (same source, same content, complete), if any.
    func pickup(source: String, sha256: String) async throws -> PickupEntry?
    /// The peers a record of this agency went to, with the digest of the version each has.
    func routes(origin: Agency, recordId: String) async throws -> [Agency: String]
    /// The same for many records at once: id → peer → digest.
    func routes(origin: Agency, recordIds: [String]) async throws -> [String: [Agency: String]]
    /// Writes a document picked up whole, its batches and its routing (and an export's new cursor)
    /// in one transaction; false, writing nothing, if the same document was recorded before.
    func commitPickup(_ entry: PickupEntry, batches: [QueuedBatch], routed: [RoutedRecord], cursor: (source: String, value: String)?,
                      now: Date) async throws -> Bool
    /// Where this agency's records went, each with the version the peer last got.
    func routedRecords() async throws -> [RoutedRecord]
    /// The latest version of a record this gateway took in, and its status.
    func latestReceived(origin: Agency, recordId: String) async throws -> LatestVersion?
    /// An export's position (`since`), if it was read before.
    func pickupCursor(_ source: String) async throws -> String?
    /// Per peer and record type, what was sent and what the peers' receipts say became of it.
    func sendingSummary() async throws -> [SendingSummary]
    /// Where an incomplete pick-up of this document stands (nil: never started, or complete).
    func pickupPosition(source: String, sha256: String) async throws -> PickupPosition?
    /// Starts the pick-up of a document in parts: its row, and the document itself read from `path`.
    func beginPickup(_ entry: PickupEntry, documentAt path: String, now: Date) async throws
    /// Commits one part of a pick-up (with `final`, the last).
    func commitPickupPart(source: String, sha256: String, position: Int, counts: PickupEntry, batches: [QueuedBatch], routed: [RoutedRecord],
                          notes: [PickupNote], final: (outcome: PickupEntry.Outcome, report: String)?, now: Date) async throws
    /// The batches made of a document so far, in the order they were made, and the notes on its records.
    func pickupContents(source: String, sha256: String) async throws -> PickupContents

    // MARK: operators

    /// The batches a filter selects, newest first.
    func batches(_ filter: BatchFilter) async throws -> [BatchSummary]
    /// One batch, either way, of `peer` if given (a sent batch first if an id names both; two
    /// senders may use one id, and `peer` chooses).
    func batch(_ batchId: String, peer: Agency?) async throws -> BatchDetail?
    /// A record's history at this gateway: the versions received and sent.
    func history(origin: Agency, recordId: String) async throws -> RecordHistory
    /// The operators' actions, newest first.
    func auditLog(_ filter: AuditFilter) async throws -> [AuditEntry]
    /// Writes an operator action to the audit log.
    func audit(_ entry: AuditEntry, now: Date) async throws
    /// The document a sent batch was made of, and its format, if the ledger still has it.
    func sourceDocument(ofSent batchId: String) async throws -> SourceDocument?
    /// The records of a sent batch, in order.
    func records(ofSent batchId: String) async throws -> [SentRecord]
    /// Writes the batches that resubmit `original`, their routing and the operator's action, in one
    /// transaction, unless `original` was resubmitted already (false).
    func commitResubmission(of original: String, batches: [QueuedBatch], routed: [RoutedRecord], audit entry: AuditEntry, now: Date) async throws -> Bool
    /// A batch's exchange body, as sent or received (nil: no such batch, or its payload was pruned).
    func payload(of batchId: String, direction: BatchDirection, peer: Agency?) async throws -> StoredBody?
    /// The record type of a batch, if the ledger has it (payload or not).
    func recordType(of batchId: String, direction: BatchDirection, peer: Agency?) async throws -> RecordType?
    /// The batches delivered to a peer whose receipts say they were received between two instants.
    func deliveredBatches(to peer: Agency, receivedSince since: Date, until: Date) async throws -> [DeliveredBatch]
    /// Queues a sent batch again, with its id and body, and audits it; false if not a batch sent here.
    func requeue(_ batchId: String, audit entry: AuditEntry, now: Date) async throws -> Bool
    /// Notes that the peer's manifest holds these sent batches with the same body.
    func markConfirmed(_ batchIds: [String], now: Date) async throws
    /// Removes the payloads created before `cutoff` that nothing needs any more.
    func prunePayloads(createdBefore cutoff: Date, now: Date) async throws -> PruneReport
    /// Removes the finished batches created before `cutoff` (`retention.batchDays`) with their
    /// records' outcomes, attempts and bodies; how many batches. Failed, queued, unconfirmed and
    /// undelivered batches stay.
    func pruneBatches(createdBefore cutoff: Date) async throws -> Int
    /// Removes the audit entries written before `cutoff` (`retention.auditDays`); how many.
    func pruneAudit(before cutoff: Date) async throws -> Int
    /// Seals every stored payload sealed under a retired payload key (or before keys had ids) again
    /// under the key in force, `chunk` payloads per transaction, calling `progress` after each; a
    /// pass cut short is taken up again by the next. Throws if no payload key is configured, or a
    /// payload is sealed under a key that is not configured.
    func resealPayloads(chunk: Int, progress: @Sendable (ResealReport) -> Void) async throws -> ResealReport

    // MARK: statistics

    /// Rows of a read-only query (`?` placeholders; every value as text, nil for NULL): for the
    /// statistics module, which owns its SQL (see `dialect`).
    func rows(_ sql: String, _ arguments: [String]) async throws -> [[String?]]
    /// Fills an empty ledger with generated received records (the statistics benchmark).
    func fillForBenchmark(rows: Int, firstYear: Int, years: Int) async throws
}

/// The arguments most callers leave as they are.
extension LedgerStore {
    // Each convenience below leaves out `now:`, so its signature is not a requirement's: a store
    // that forgets the requirement does not compile (an extension method of the same signature
    // would stand in for it and call itself).
    /// One batch by its id alone (`batch(_:peer:)`, any peer).
    public func batch(_ batchId: String) async throws -> BatchDetail? { try await batch(batchId, peer: nil) }

    /// A batch's body by its id alone (`payload(of:direction:peer:)`, any peer).
    public func payload(of batchId: String, direction: BatchDirection) async throws -> StoredBody? {
        try await payload(of: batchId, direction: direction, peer: nil)
    }

    /// A batch's record type by its id alone (`recordType(of:direction:peer:)`, any peer).
    public func recordType(of batchId: String, direction: BatchDirection) async throws -> RecordType? {
        try await recordType(of: batchId, direction: direction, peer: nil)
    }

    public func enqueue(batchId: String, to peer: Agency, recordType: RecordType, body: [UInt8], form: BatchForm,
                        resubmissionOf: String? = nil) async throws {
        try await enqueue(batchId: batchId, to: peer, recordType: recordType, body: body, form: form, resubmissionOf: resubmissionOf, now: Date())
    }

    @discardableResult
    public func commitPickup(_ entry: PickupEntry, batches: [QueuedBatch], routed: [RoutedRecord],
                             cursor: (source: String, value: String)? = nil) async throws -> Bool {
        try await commitPickup(entry, batches: batches, routed: routed, cursor: cursor, now: Date())
    }

    public func commitPickupPart(source: String, sha256: String, position: Int, counts: PickupEntry, batches: [QueuedBatch], routed: [RoutedRecord],
                                 notes: [PickupNote], final: (outcome: PickupEntry.Outcome, report: String)? = nil) async throws {
        try await commitPickupPart(source: source, sha256: sha256, position: position, counts: counts, batches: batches, routed: routed, notes: notes,
                                   final: final, now: Date())
    }

    public func auditLog(limit: Int = 100) async throws -> [AuditEntry] { try await auditLog(AuditFilter(limit: limit)) }

    /// A sent batch's exchange body, as sent.
    public func body(ofSent batchId: String) async throws -> StoredBody? {
        try await payload(of: batchId, direction: .sent)
    }

    /// Every record of the first column of a one-column count (`SELECT COUNT(*) …`), as a number.
    public func count(_ sql: String, _ arguments: [String] = []) async throws -> Int {
        Int(try await rows(sql, arguments).first?.first.flatMap { $0 } ?? "0") ?? 0
    }
}
