import ExchangeProtocol
import Foundation
import Model
import PostgresNIO

/// The outbox shared by every replica: a replica claims due batches with `FOR UPDATE SKIP LOCKED`
/// and a lease, so a batch is sent by one replica at a time and a dead replica's batches are taken
/// over when its lease runs out. A peer's batches go one after another, in order: while one
/// replica sends to a peer under a live lease, the others leave that peer alone (each claim
/// takes the peer's advisory lock first, so that two replicas never both find the peer free).
extension PostgresStore: OutboxStore {
    public func enqueue(batchId: String, to peer: Agency, recordType: RecordType, body: [UInt8], form: BatchForm,
                        resubmissionOf: String?, now: Date) async throws {
        let at = Instant.text(now), due = DueTime.string(now)
        let sealed = Data(try PayloadSealing.seal(body, recordType: recordType, key: payloadKey, at: .batch(id: batchId, direction: .sent)))
        try await transaction { c in
            try await c.change(OutboxSQL.insertQueued(batchId: batchId, peer: peer, recordType: recordType, bodySha256: sha256Hex(body), form: form,
                                                      resubmissionOf: resubmissionOf, due: due, at: at))
            try await c.change(OutboxSQL.insertBody(batchId: batchId, direction: .sent, peer: peer, body: sealed))
        }
    }

    public func claimDue(now: Date, limit: Int, peer: Agency?) async throws -> [OutgoingBatch] {
        var peers = [Agency]()
        if let peer { peers = [peer] } else { peers = try await claimablePeers(now: now) }
        var claimed: [OutgoingBatch] = []
        for peer in peers where claimed.count < limit {
            claimed += try await claim(peer, now: now, limit: limit - claimed.count)
        }
        return claimed
    }

    /// One peer's due batches, oldest first, under this replica's lease.
    private func claim(_ peer: Agency, now: Date, limit: Int) async throws -> [OutgoingBatch] {
        let at = Instant.text(now), due = DueTime.string(now)
        let (owner, until, lane) = (lease.owner, lease.until(now), "gateway lane " + peer.rawValue)
        let payloadKey = self.payloadKey
        let rows = try await transaction { c in
            try await c.run("SELECT pg_advisory_xact_lock(hashtextextended(\(lane), 0))")
            // The due batches are chosen once (MATERIALIZED): a subquery joined to the UPDATE could be
            // scanned again per row and hand out more than `limit`.
            return try await c.all("""
                WITH due AS MATERIALIZED (
                    SELECT batch_id FROM batch
                    WHERE direction = 'out' AND peer = \(peer.rawValue)
                      AND ((state = 'queued' AND next_attempt_at <= \(due)) OR (state = 'sending' AND lease_until < \(due)))
                      AND peer NOT IN (SELECT peer FROM peer_state WHERE paused = 1)
                      AND NOT EXISTS (SELECT 1 FROM batch s WHERE s.direction = 'out' AND s.peer = \(peer.rawValue) AND s.state = 'sending'
                                      AND s.lease_until >= \(due) AND s.lease_owner <> \(owner))
                    ORDER BY next_attempt_at, created_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                UPDATE batch b SET state = 'sending', attempts = b.attempts + 1, first_attempt_at = coalesce(b.first_attempt_at, \(at)), updated_at = \(at),
                    lease_owner = \(owner), lease_until = \(until)
                FROM due WHERE b.batch_id = due.batch_id AND b.direction = 'out'
                RETURNING b.batch_id, b.peer, b.record_type, (SELECT p.body FROM batch_body p WHERE p.batch_id = b.batch_id AND p.direction = 'out' AND p.peer = b.peer) AS body, b.body_form, b.attempts, b.first_attempt_at, b.next_attempt_at, b.created_at, b.body_sha256, b.record_count
                """)
        }
        return try rows.sorted { (try $0.optionalString("next_attempt_at") ?? "", try $0.string("created_at")) < (try $1.optionalString("next_attempt_at") ?? "", try $1.string("created_at")) }
            .map { row in
                OutgoingBatch(batchId: try row.string("batch_id"), peer: peer, recordType: RecordType(rawValue: try row.string("record_type"))!,
                              body: try PayloadSealing.open(try row.bytes("body") ?? Data(), key: payloadKey, at: .batch(id: try row.string("batch_id"), direction: .sent)),
                              form: BatchForm(rawValue: try row.string("body_form"))!, attempts: try row.int("attempts"),
                              firstAttempt: Instant.parse(try row.string("first_attempt_at")) ?? now, bodySha256: try row.string("body_sha256"),
                              recordCount: try row.optionalInt("record_count"))
            }
    }

    public func record(_ step: NextStep, for batchId: String, attempt: Int, answer: String, now: Date) async throws {
        let at = Instant.text(now), owner = lease.owner
        let change = try OutboxChange(step, answer: answer)
        let kept = String(answer.prefix(2000))
        try await transaction { c in
            try await c.change(OutboxSQL.insertAttempt(batchId: batchId, attempt: attempt, at: at, outcome: change.outcome, answer: kept, replica: owner))
            if try await c.change(OutboxSQL.recordUnderLease(change, batchId: batchId, owner: owner, at: at)) == 0, change.state == .delivered {
                try await c.change(OutboxSQL.recordLateDelivery(change, batchId: batchId, at: at))
            }
        }
    }

    public func requeueInterrupted(now: Date) async throws -> Int {
        let at = Instant.text(now), due = DueTime.string(now)
        let lease = self.lease
        return try await autocommit { c in try await c.change(OutboxSQL.requeueInterrupted(due: due, at: at, lease: lease)) }
    }

    public func setPaused(_ paused: Bool, peer: Agency) async throws {
        _ = try await autocommit { c in try await c.change(OutboxSQL.setPaused(paused, peer: peer)) }
    }

    public func claimablePeers(now: Date) async throws -> [Agency] {
        let due = DueTime.string(now)
        return try await autocommit { c in
            try await c.rows(OutboxSQL.claimablePeers(due: due)).compactMap { Agency(rawValue: try $0.string("peer")) }
        }
    }

    public func queuedCount() async throws -> Int {
        try await autocommit { c in
            try await c.row(OutboxSQL.queuedCount)?.int("n") ?? 0
        }
    }

    public func outgoingState(_ batchId: String) async throws -> OutgoingState? {
        try await autocommit { c in
            try await c.row(OutboxSQL.outgoingState(batchId)).map(OutgoingState.init(row:))
        }
    }
}
