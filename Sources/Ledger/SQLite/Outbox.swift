import ExchangeProtocol
import Foundation
import GRDB
import Model

extension SQLiteStore: OutboxStore {}

/// The outbox: batches written before they are sent, taken by the dispatcher when due, and marked
/// with each answer. A batch is in one state at a time: `queued` (waiting for its next attempt),
/// `sending` (taken by a dispatcher), `delivered` or `failed`.
extension SQLiteStore {
    /// Writes a batch to send; it is due at once.
    public func enqueue(batchId: String, to peer: Agency, recordType: RecordType, body: [UInt8], form: BatchForm,
                        resubmissionOf: String? = nil, now: Date = Date()) async throws {
        let at = Instant.text(now), due = DueTime.string(now)
        try await database.write { db in
            try db.change(OutboxSQL.insertQueued(batchId: batchId, peer: peer, recordType: recordType, bodySha256: sha256Hex(body), form: form,
                                                 resubmissionOf: resubmissionOf, due: due, at: at))
            try BatchBodies.insert(batchId, direction: .sent, peer: peer.rawValue, body: body, recordType: recordType, key: payloadKey, in: db)
        }
    }

    /// Takes up to `limit` batches due by `now` for peers that are not paused (for `peer` only,
    /// if given), oldest first, marking them `sending` under this process's lease and counting the
    /// attempt, in one transaction. A batch whose lease ran out (its sender died) is taken over. A
    /// peer whose batches are being sent under another live lease is left to that sender, so that
    /// a peer gets its batches one after another, in order.
    public func claimDue(now: Date = Date(), limit: Int = 16, peer: Agency? = nil) async throws -> [OutgoingBatch] {
        let at = Instant.text(now), due = DueTime.string(now)
        let payloadKey = self.payloadKey, lease = self.lease
        return try await database.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT batch_id, peer, record_type, body_form, attempts, first_attempt_at, body_sha256, record_count FROM batch b
                WHERE direction = 'out' AND ((state = 'queued' AND next_attempt_at <= ?) OR (state = 'sending' AND lease_until < ?))
                  \(peer == nil ? "" : "AND peer = ?")
                  AND peer NOT IN (SELECT peer FROM peer_state WHERE paused = 1)
                  AND NOT EXISTS (SELECT 1 FROM batch s WHERE s.direction = 'out' AND s.peer = b.peer AND s.state = 'sending'
                                  AND s.lease_until >= ? AND s.lease_owner <> ?)
                ORDER BY next_attempt_at, created_at LIMIT ?
                """, arguments: StatementArguments([due, due] + (peer.map { [$0.rawValue] } ?? []) + [due, lease.owner, limit]))
            return try rows.map { row in
                let id: String = row["batch_id"]
                let first: String = row["first_attempt_at"] ?? at
                try db.execute(sql: """
                    UPDATE batch SET state = 'sending', attempts = attempts + 1, first_attempt_at = ?, updated_at = ?, lease_owner = ?, lease_until = ?
                    WHERE batch_id = ? AND direction = 'out'
                    """, arguments: [first, at, lease.owner, lease.until(now), id])
                return OutgoingBatch(batchId: id, peer: Agency(rawValue: row["peer"])!, recordType: RecordType(rawValue: row["record_type"])!,
                                     body: try PayloadSealing.open(try BatchBodies.fetch(id, direction: .sent, peer: row["peer"], in: db) ?? Data(), key: payloadKey, at: .batch(id: id, direction: .sent)), form: BatchForm(rawValue: row["body_form"])!,
                                     attempts: (row["attempts"] as Int) + 1, firstAttempt: Instant.parse(first) ?? now, bodySha256: row["body_sha256"],
                                     recordCount: row["record_count"])
            }
        }
    }

    /// Records the outcome of attempt number `attempt`, made under this process's lease. If the
    /// lease was lost meanwhile (another replica took the batch over), only a receipt is kept: the
    /// batch is delivered whoever sent it; a retry or failure is the new holder's to decide.
    public func record(_ step: NextStep, for batchId: String, attempt: Int, answer: String, now: Date = Date()) async throws {
        let at = Instant.text(now), owner = lease.owner
        let change = try OutboxChange(step, answer: answer)
        try await database.write { db in
            try db.change(OutboxSQL.insertAttempt(batchId: batchId, attempt: attempt, at: at, outcome: change.outcome, answer: String(answer.prefix(2000)), replica: owner))
            if try db.change(OutboxSQL.recordUnderLease(change, batchId: batchId, owner: owner, at: at)) == 0, change.state == .delivered {
                try db.change(OutboxSQL.recordLateDelivery(change, batchId: batchId, at: at))
            }
        }
    }

    /// At start: batches left `sending` by an earlier run of this replica (or by a sender whose
    /// lease ran out, or from before leases) may or may not have reached the peer: they go back to
    /// `queued`, due now, and are sent again with the same id and body (the peer replays its receipt).
    @discardableResult
    public func requeueInterrupted(now: Date = Date()) async throws -> Int {
        let at = Instant.text(now), due = DueTime.string(now), lease = self.lease
        return try await database.write { db in
            try db.change(OutboxSQL.requeueInterrupted(due: due, at: at, lease: lease))
        }
    }

    /// The operators' pause switch for a peer: a paused peer's batches wait, queued.
    public func setPaused(_ paused: Bool, peer: Agency) async throws {
        _ = try await database.write { db in
            try db.change(OutboxSQL.setPaused(paused, peer: peer))
        }
    }

    public func claimablePeers(now: Date) async throws -> [Agency] {
        try await database.read { db in
            try db.rows(OutboxSQL.claimablePeers(due: DueTime.string(now))).compactMap { Agency(rawValue: try $0.string("peer")) }
        }
    }

    /// Batches waiting in the outbox (queued or being sent).
    public func queuedCount() async throws -> Int {
        try await database.read { db in
            try db.row(OutboxSQL.queuedCount)?.int("n") ?? 0
        }
    }

    /// A sent batch's state and last answer (for operators and tests).
    public func outgoingState(_ batchId: String) async throws -> OutgoingState? {
        try await database.read { db in
            try db.row(OutboxSQL.outgoingState(batchId)).map(OutgoingState.init(row:))
        }
    }
}
