import ExchangeProtocol
import Foundation
import Model

/// Receiving's and delivery's statements, as both stores run them. A batch's records are written
/// apart, where the time goes: through SQLite's C API, one prepared statement per row
/// (`ReceivedBatches.swift`), and in one set-wise statement per table on PostgreSQL
/// (`PostgresReceive.swift`).
enum ReceiveSQL {
    /// The batch's row, unless a batch with its id was received before (no row written then).
    static func insertBatch(_ batch: IncomingBatch, at now: String, lease: Lease) -> LedgerSQL {
        """
        INSERT INTO batch (batch_id, direction, peer, record_type, body_sha256, state, created_at, updated_at, body_form, record_count,
                           lease_owner, lease_until, received_by)
        VALUES (\(batch.batchId), 'in', \(batch.sender.rawValue), \(batch.recordType.rawValue), \(batch.bodySha256), 'received', \(now), \(now),
                \(batch.form.rawValue), \(batch.records.count), \(lease.owner), \(lease.until(batch.receivedAt)), \(lease.owner))
        ON CONFLICT (batch_id, direction, peer) DO NOTHING
        """
    }

    /// What a batch the sender sent before under this id holds: its body's digest and receipt (a
    /// replay, or a conflict). Another sender's batch of the same id is no concern of this one's.
    static func received(_ batchId: String, from sender: Agency) -> LedgerSQL {
        "SELECT body_sha256, receipt FROM batch WHERE batch_id = \(batchId) AND direction = 'in' AND peer = \(sender.rawValue)"
    }

    static func setReceipt(_ receipt: String, batchId: String, from sender: Agency) -> LedgerSQL {
        "UPDATE batch SET receipt = \(receipt) WHERE batch_id = \(batchId) AND direction = 'in' AND peer = \(sender.rawValue)"
    }

    static func receipt(ofReceived batchId: String, from sender: Agency) -> LedgerSQL {
        "SELECT receipt FROM batch WHERE batch_id = \(batchId) AND direction = 'in' AND peer = \(sender.rawValue)"
    }

    static func manifest(from sender: Agency, since: String, until: String) -> LedgerSQL {
        """
        SELECT receipt, body_sha256 FROM batch WHERE direction = 'in' AND peer = \(sender.rawValue) AND created_at >= \(since) AND created_at < \(until)
          AND receipt IS NOT NULL ORDER BY created_at, batch_id
        """
    }

    static let undelivered: LedgerSQL = "SELECT batch_id, peer FROM batch WHERE direction = 'in' AND delivered_at IS NULL ORDER BY created_at, batch_id"

    static func pendingDelivery(_ batchId: String, from sender: Agency) -> LedgerSQL {
        """
        SELECT b.peer, b.record_type, p.body, b.body_form FROM batch b
        LEFT JOIN batch_body p ON p.batch_id = b.batch_id AND p.direction = b.direction AND p.peer = b.peer
        WHERE b.batch_id = \(batchId) AND b.direction = 'in' AND b.peer = \(sender.rawValue) AND b.delivered_at IS NULL
        """
    }

    static func acceptedPositions(_ batchId: String, from sender: Agency) -> LedgerSQL {
        "SELECT position FROM batch_record WHERE batch_id = \(batchId) AND peer = \(sender.rawValue) AND outcome = 'accepted'"
    }

    static func isDelivered(_ batchId: String, from sender: Agency) -> LedgerSQL {
        "SELECT 1 AS one FROM batch WHERE batch_id = \(batchId) AND direction = 'in' AND peer = \(sender.rawValue) AND delivered_at IS NOT NULL"
    }

    static func claimDelivery(_ batchId: String, from sender: Agency, lease: Lease, now: Date) -> LedgerSQL {
        """
        UPDATE batch SET lease_owner = \(lease.owner), lease_until = \(lease.until(now))
        WHERE batch_id = \(batchId) AND direction = 'in' AND peer = \(sender.rawValue) AND delivered_at IS NULL
          AND (lease_owner IS NULL OR lease_until < \(DueTime.string(now)) OR substr(lease_owner, 1, length(\(lease.replicaPrefix))) = \(lease.replicaPrefix))
        RETURNING 1
        """
    }

    /// A batch whose every record was a duplicate of one held: its body is not kept (so that one
    /// peer re-sending what it sent under new batch ids fills nothing), nothing is to be delivered.
    static func keepNoBody(_ batchId: String, from sender: Agency, at: String) -> LedgerSQL {
        """
        UPDATE batch SET payload_pruned_at = \(at), delivered_at = \(at), delivered_to = \(ReceiveSQL.everyRecordHeld), state = 'delivered', updated_at = \(at),
            lease_owner = NULL, lease_until = NULL
        WHERE batch_id = \(batchId) AND direction = 'in' AND peer = \(sender.rawValue)
        """
    }

    /// Where a batch of duplicates only went (`keepNoBody`).
    static let everyRecordHeld = "(every record held already: body not kept)"

    static func markDelivered(_ batchId: String, from sender: Agency, to destination: String, at: String, losses: String?) -> LedgerSQL {
        """
        UPDATE batch SET delivered_at = \(at), delivered_to = \(destination), delivery_losses = \(losses), state = 'delivered', updated_at = \(at),
            lease_owner = NULL, lease_until = NULL
        WHERE batch_id = \(batchId) AND direction = 'in' AND peer = \(sender.rawValue)
        """
    }
}

extension ReceiveSQL {
    /// What a batch's id already received answers (`received`): the stored receipt again, or a
    /// conflict when the body differs.
    static func replay(_ row: some LedgerRow, bodySha256: String) throws -> ReceiveOutcome {
        guard try row.string("body_sha256") == bodySha256 else { return .conflict }
        return .replayed(try JSONDecoder().decode(Receipt.self, from: Data(try row.string("receipt").utf8)))
    }

    /// A batch's stored receipt (`receipt(ofReceived:from:)`), if it has one.
    static func storedReceipt(_ row: some LedgerRow) throws -> Receipt? {
        try row.optionalString("receipt").map { try JSONDecoder().decode(Receipt.self, from: Data($0.utf8)) }
    }

    static func manifestEntry(_ row: some LedgerRow) throws -> ManifestEntry {
        try ManifestEntry(receipt: try row.string("receipt"), bodySha256: try row.string("body_sha256"))
    }

    /// A batch still to deliver (`undelivered`); nil for a sender that is no agency code.
    static func undeliveredBatch(_ row: some LedgerRow) throws -> (batchId: String, sender: Agency)? {
        guard let sender = Agency(rawValue: try row.string("peer")) else { return nil }
        return (try row.string("batch_id"), sender)
    }
}

extension PendingDelivery {
    /// A pending batch from its row (`ReceiveSQL.pendingDelivery`), its body opened.
    init?(row: some LedgerRow, batchId: String, accepted: [Int], key: PayloadKey?) throws {
        guard let sender = Agency(rawValue: try row.string("peer")), let type = RecordType(rawValue: try row.string("record_type")),
              let form = BatchForm(rawValue: try row.optionalString("body_form") ?? "json") else { return nil }
        self.init(batchId: batchId, sender: sender, recordType: type,
                  body: try PayloadSealing.open(try row.bytes("body") ?? Data(), key: key, at: .batch(id: batchId, direction: .received)),
                  form: form, accepted: Set(accepted))
    }
}
