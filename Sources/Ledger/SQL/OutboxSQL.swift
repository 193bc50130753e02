import ExchangeProtocol
import Foundation
import Model

/// The outbox's statements, as both stores run them. What differs is how a batch is claimed:
/// SQLite (one writer) reads the due batches and marks each; PostgreSQL marks them in one
/// `UPDATE … FOR UPDATE SKIP LOCKED` under the peer's advisory lock, so that replicas never
/// both take a peer (`PostgresOutbox.swift`).
enum OutboxSQL {
    static func insertQueued(batchId: String, peer: Agency, recordType: RecordType, bodySha256: String, form: BatchForm,
                             resubmissionOf: String?, due: String, at: String) -> LedgerSQL {
        """
        INSERT INTO batch (batch_id, direction, peer, record_type, body_sha256, state, body_form, resubmission_of,
                           next_attempt_at, created_at, updated_at)
        VALUES (\(batchId), 'out', \(peer.rawValue), \(recordType.rawValue), \(bodySha256), 'queued', \(form.rawValue),
                \(resubmissionOf), \(due), \(at), \(at))
        """
    }

    static func insertBody(batchId: String, direction: BatchDirection, peer: Agency, body: Data) -> LedgerSQL {
        "INSERT INTO batch_body (batch_id, direction, peer, body) VALUES (\(batchId), \(direction), \(peer.rawValue), \(body))"
    }

    static func insertAttempt(batchId: String, attempt: Int, at: String, outcome: String, answer: String, replica: String) -> LedgerSQL {
        """
        INSERT INTO attempt (batch_id, attempt, at, outcome, answer, replica) VALUES (\(batchId), \(attempt), \(at), \(outcome), \(answer), \(replica))
        ON CONFLICT (batch_id, attempt) DO UPDATE SET at = excluded.at, outcome = excluded.outcome, answer = excluded.answer, replica = excluded.replica
        """
    }

    /// The attempt's outcome, if this replica's lease still holds the batch (1 row changed).
    static func recordUnderLease(_ change: OutboxChange, batchId: String, owner: String, at: String) -> LedgerSQL {
        """
        UPDATE batch SET state = \(change.state), receipt = coalesce(\(change.receipt), receipt), last_answer = \(change.lastAnswer),
            next_attempt_at = \(change.nextAttempt), updated_at = \(at), lease_owner = NULL, lease_until = NULL
        WHERE batch_id = \(batchId) AND direction = 'out' AND state = 'sending' AND lease_owner = \(owner) RETURNING 1
        """
    }

    /// A receipt that came after the lease was lost: the batch is delivered whoever sent it.
    static func recordLateDelivery(_ change: OutboxChange, batchId: String, at: String) -> LedgerSQL {
        """
        UPDATE batch SET state = 'delivered', receipt = \(change.receipt), last_answer = \(change.lastAnswer), next_attempt_at = NULL, updated_at = \(at),
            lease_owner = NULL, lease_until = NULL
        WHERE batch_id = \(batchId) AND direction = 'out' AND state <> 'delivered'
        """
    }

    static func requeueInterrupted(due: String, at: String, lease: Lease) -> LedgerSQL {
        """
        UPDATE batch SET state = 'queued', next_attempt_at = \(due), updated_at = \(at), lease_owner = NULL, lease_until = NULL
        WHERE direction = 'out' AND state = 'sending'
          AND (lease_owner IS NULL OR lease_until < \(due) OR (substr(lease_owner, 1, length(\(lease.replicaPrefix))) = \(lease.replicaPrefix) AND lease_owner <> \(lease.owner)))
        RETURNING 1
        """
    }

    static func setPaused(_ paused: Bool, peer: Agency) -> LedgerSQL {
        "INSERT INTO peer_state (peer, paused) VALUES (\(peer.rawValue), \(paused ? 1 : 0)) ON CONFLICT (peer) DO UPDATE SET paused = excluded.paused"
    }

    static func claimablePeers(due: String) -> LedgerSQL {
        """
        SELECT DISTINCT peer FROM batch
        WHERE direction = 'out' AND ((state = 'queued' AND next_attempt_at <= \(due)) OR (state = 'sending' AND lease_until < \(due))) ORDER BY peer
        """
    }

    static let queuedCount: LedgerSQL = "SELECT COUNT(*) AS n FROM batch WHERE direction = 'out' AND state IN ('queued', 'sending')"

    static func outgoingState(_ batchId: String) -> LedgerSQL {
        "SELECT state, attempts, last_answer FROM batch WHERE batch_id = \(batchId) AND direction = 'out'"
    }
}
