import Exchange
import Formats
import Foundation
import GRDB
import Model

/// A batch to send, as the dispatcher takes it from the outbox.
public struct OutgoingBatch: Sendable, Equatable {
    public var batchId: String
    public var peer: Agency
    public var recordType: RecordType
    public var body: [UInt8]
    public var form: ExchangeFormat.Form
    /// Attempts made, this one included.
    public var attempts: Int
    public var firstAttempt: Date

    public init(batchId: String, peer: Agency, recordType: RecordType, body: [UInt8], form: ExchangeFormat.Form, attempts: Int, firstAttempt: Date) {
        self.batchId = batchId
        self.peer = peer
        self.recordType = recordType
        self.body = body
        self.form = form
        self.attempts = attempts
        self.firstAttempt = firstAttempt
    }
}

/// Due times in the outbox: UTC with milliseconds, fixed width, so that text order is time order and
/// a back-off shorter than a second is not rounded away.
enum DueTime {
    static func string(_ date: Date) -> String {
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded())
        let whole = Date(timeIntervalSince1970: TimeInterval(milliseconds / 1000))
        let text = TimestampPattern.rfc3339.write(whole)   // yyyy-MM-ddTHH:mm:ssZ
        let fraction = String(milliseconds % 1000)
        return String(text.dropLast()) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction + "Z"
    }
}

/// What the dispatcher needs of a store: the outbox, whatever holds it (SQLite today, PostgreSQL for
/// several replicas).
public protocol OutboxStore: Sendable {
    /// Takes up to `limit` batches due by `now` for peers that are not paused, marking them `sending`.
    func claimDue(now: Date, limit: Int, peer: Agency?) async throws -> [OutgoingBatch]
    /// Records the outcome of an attempt (and the attempt itself, with the answer).
    func record(_ step: NextStep, for batchId: String, answer: String, now: Date) async throws
    /// Puts back, due now, what a crash left `sending`.
    func requeueInterrupted(now: Date) async throws -> Int
    /// Batches waiting (queued or being sent).
    func queuedCount() async throws -> Int
    /// The peers that have batches due by `now` (a batch for a peer without settings is failed by
    /// the dispatcher, not left waiting).
    func claimablePeers(now: Date) async throws -> [Agency]
}

extension SQLiteStore: OutboxStore {}

/// The outbox: batches written before they are sent, taken by the dispatcher when due, and marked
/// with each answer. A batch is in one state at a time: `queued` (waiting for its next attempt),
/// `sending` (taken by a dispatcher), `delivered` or `failed`.
extension SQLiteStore {
    /// Writes a batch to send; it is due at once.
    public func enqueue(batchId: String, to peer: Agency, recordType: RecordType, body: [UInt8], form: ExchangeFormat.Form,
                        resubmissionOf: String? = nil, now: Date = Date()) throws {
        let at = TimestampPattern.rfc3339.write(now), due = DueTime.string(now)
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO batch (batch_id, direction, peer, record_type, body_sha256, state, body, body_form, resubmission_of,
                                   next_attempt_at, created_at, updated_at)
                VALUES (?, 'out', ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)
                """, arguments: [batchId, peer.rawValue, recordType.rawValue, sha256Hex(body), try PayloadSealing.seal(body, recordType: recordType, key: payloadKey),
                                 form.rawValue, resubmissionOf, due, at, at])
        }
    }

    /// Takes up to `limit` batches due by `now` for peers that are not paused (for `peer` only,
    /// if given), oldest first, marking them `sending` and counting the attempt, in one transaction.
    public func claimDue(now: Date = Date(), limit: Int = 16, peer: Agency? = nil) async throws -> [OutgoingBatch] {
        let at = TimestampPattern.rfc3339.write(now), due = DueTime.string(now)
        let payloadKey = self.payloadKey
        return try await database.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT batch_id, peer, record_type, body, body_form, attempts, first_attempt_at FROM batch
                WHERE direction = 'out' AND state = 'queued' AND next_attempt_at <= ? \(peer == nil ? "" : "AND peer = ?")
                  AND peer NOT IN (SELECT peer FROM peer_state WHERE paused = 1)
                ORDER BY next_attempt_at, created_at LIMIT ?
                """, arguments: StatementArguments([due] + (peer.map { [$0.rawValue] } ?? []) + [limit]))
            return try rows.map { row in
                let id: String = row["batch_id"]
                let first: String = row["first_attempt_at"] ?? at
                try db.execute(sql: """
                    UPDATE batch SET state = 'sending', attempts = attempts + 1, first_attempt_at = ?, updated_at = ? WHERE batch_id = ? AND direction = 'out'
                    """, arguments: [first, at, id])
                return OutgoingBatch(batchId: id, peer: Agency(rawValue: row["peer"])!, recordType: RecordType(rawValue: row["record_type"])!,
                                     body: try PayloadSealing.open(row["body"] as Data, key: payloadKey), form: ExchangeFormat.Form(rawValue: row["body_form"])!,
                                     attempts: (row["attempts"] as Int) + 1, firstAttempt: RequestSignature.instant(first) ?? now)
            }
        }
    }

    /// Records the outcome of an attempt.
    public func record(_ step: NextStep, for batchId: String, answer: String, now: Date = Date()) async throws {
        let at = TimestampPattern.rfc3339.write(now)
        try await database.write { db in
            let attempts = try Int.fetchOne(db, sql: "SELECT attempts FROM batch WHERE batch_id = ? AND direction = 'out'", arguments: [batchId]) ?? 0
            let outcome: String
            switch step {
            case .delivered: outcome = "delivered"
            case .retry: outcome = "retry"
            case .failed: outcome = "failed"
            }
            try db.execute(sql: "INSERT OR REPLACE INTO attempt (batch_id, attempt, at, outcome, answer) VALUES (?, ?, ?, ?, ?)",
                           arguments: [batchId, attempts, at, outcome, String(answer.prefix(2000))])
            switch step {
            case .delivered(let receipt):
                try db.execute(sql: "UPDATE batch SET state = 'delivered', receipt = ?, last_answer = ?, next_attempt_at = NULL, updated_at = ? WHERE batch_id = ? AND direction = 'out'",
                               arguments: [String(decoding: try WireJSON.encode(receipt), as: UTF8.self), answer, at, batchId])
            case .retry(let next):
                try db.execute(sql: "UPDATE batch SET state = 'queued', last_answer = ?, next_attempt_at = ?, updated_at = ? WHERE batch_id = ? AND direction = 'out'",
                               arguments: [answer, DueTime.string(next), at, batchId])
            case .failed(let reason):
                try db.execute(sql: "UPDATE batch SET state = 'failed', last_answer = ?, next_attempt_at = NULL, updated_at = ? WHERE batch_id = ? AND direction = 'out'",
                               arguments: [reason, at, batchId])
            }
        }
    }

    /// After a crash, batches left `sending` may or may not have reached the peer: they go back to
    /// `queued`, due now, and are sent again with the same id and body (the peer replays its receipt).
    @discardableResult
    public func requeueInterrupted(now: Date = Date()) async throws -> Int {
        let at = TimestampPattern.rfc3339.write(now)
        return try await database.write { db in
            try db.execute(sql: "UPDATE batch SET state = 'queued', next_attempt_at = ?, updated_at = ? WHERE direction = 'out' AND state = 'sending'",
                           arguments: [DueTime.string(now), at])
            return db.changesCount
        }
    }

    /// The operators' pause switch for a peer: a paused peer's batches wait, queued.
    public func setPaused(_ paused: Bool, peer: Agency) throws {
        try database.write { db in
            try db.execute(sql: "INSERT INTO peer_state (peer, paused) VALUES (?, ?) ON CONFLICT (peer) DO UPDATE SET paused = excluded.paused",
                           arguments: [peer.rawValue, paused])
        }
    }

    public func claimablePeers(now: Date) async throws -> [Agency] {
        try await database.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT peer FROM batch WHERE direction = 'out' AND state = 'queued' AND next_attempt_at <= ?",
                                arguments: [DueTime.string(now)]).compactMap(Agency.init(rawValue:))
        }
    }

    /// Batches waiting in the outbox (queued or being sent).
    public func queuedCount() async throws -> Int {
        try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM batch WHERE direction = 'out' AND state IN ('queued', 'sending')") ?? 0
        }
    }

    /// A sent batch's state and last answer (for operators and tests).
    public func outgoingState(_ batchId: String) throws -> (state: String, attempts: Int, lastAnswer: String?)? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT state, attempts, last_answer FROM batch WHERE batch_id = ? AND direction = 'out'", arguments: [batchId])
                .map { ($0["state"], $0["attempts"], $0["last_answer"]) }
        }
    }
}
