import ExchangeProtocol
import Foundation
import Model

/// The operators' views and actions, as both stores run them: one statement each, and the rows
/// they give read once (`init(row:)`).
enum OperationsSQL {
    static func batches(_ filter: BatchFilter, _ dialect: SQLDialect) -> LedgerSQL { filter.statement(dialect) }

    /// A batch by its id, of `peer` if given; a sent batch first, then the received one stored first
    /// (two senders may use one id: migration 0016).
    static func batch(_ batchId: String, peer: Agency?, _ dialect: SQLDialect) -> LedgerSQL {
        """
        SELECT \(raw: BatchSummary.columns(dialect)), b.body_sha256, b.body_form, b.source, b.delivered_to, b.last_answer
        FROM batch b WHERE b.batch_id = \(batchId) \(ofPeer(peer, "b"))ORDER BY b.direction = 'out' DESC, b.created_at, \(.writeOrder("b")) LIMIT 1
        """
    }

    /// `AND <alias>.peer = …` when a peer is given, else nothing.
    private static func ofPeer(_ peer: Agency?, _ alias: String) -> LedgerSQL {
        guard let peer else { return "" }
        return "AND \(raw: alias).peer = \(peer.rawValue) "
    }

    static func attempts(_ batchId: String) -> LedgerSQL {
        "SELECT attempt, at, outcome, answer FROM attempt WHERE batch_id = \(batchId) ORDER BY attempt"
    }

    static func rejectedRecords(_ batchId: String, from sender: String) -> LedgerSQL {
        """
        SELECT position, record_id, field, code, message FROM batch_record WHERE batch_id = \(batchId) AND peer = \(sender) AND outcome = 'rejected'
        ORDER BY position
        """
    }

    static func deliveryLosses(_ batchId: String, from sender: String) -> LedgerSQL {
        "SELECT delivery_losses FROM batch WHERE batch_id = \(batchId) AND direction = 'in' AND peer = \(sender)"
    }

    static func resubmitted(_ batchId: String) -> LedgerSQL {
        "SELECT resubmission_of FROM batch WHERE batch_id = \(batchId) AND direction = 'out'"
    }

    static func resubmission(of batchId: String) -> LedgerSQL {
        "SELECT batch_id FROM batch WHERE resubmission_of = \(batchId) AND direction = 'out' ORDER BY created_at LIMIT 1"
    }

    static func received(origin: Agency, recordId: String) -> LedgerSQL {
        """
        SELECT br.batch_id, br.version, br.outcome, br.code, br.message, b.created_at FROM batch_record br
        JOIN batch b ON b.batch_id = br.batch_id AND b.direction = 'in' AND b.peer = br.peer
        WHERE br.record_id = \(recordId) AND b.peer = \(origin.rawValue) ORDER BY b.created_at, \(.writeOrder("b"))
        """
    }

    static func sent(origin: Agency, recordId: String) -> LedgerSQL {
        """
        SELECT o.batch_id, b.peer, o.version, b.state, b.created_at FROM outgoing_record o
        JOIN batch b ON b.batch_id = o.batch_id AND b.direction = 'out'
        WHERE o.origin = \(origin.rawValue) AND o.record_id = \(recordId) ORDER BY b.created_at, \(.writeOrder("b"))
        """
    }

    static func auditLog(_ filter: AuditFilter) -> LedgerSQL { filter.statement() }

    static func insert(_ entry: AuditEntry, at: String) -> LedgerSQL {
        """
        INSERT INTO audit (at, actor, action, target, reason, detail)
        VALUES (\(at), \(entry.actor), \(entry.action), \(entry.target), \(entry.reason), \(entry.detail))
        """
    }

    static func pruneAudit(before: String) -> LedgerSQL {
        "DELETE FROM audit WHERE at < \(before) RETURNING 1"
    }

    /// Row retention (`retention.batchDays`), in order: the records' outcomes, the records sent,
    /// the attempts and the bodies of the finished batches created before `before`, and then those
    /// batches (each row returning 1). Finished: received and handed to the back office; or sent,
    /// delivered and confirmed by a reconcile, with no rejected record that waits for a
    /// resubmission. A failed, queued, unconfirmed or undelivered batch stays, whatever its age.
    /// The records themselves (`record`, `received_record`, `flow_month`) stay: versions and
    /// statistics are made of them.
    static func pruneBatches(before: String, _ dialect: SQLDialect) -> [LedgerSQL] {
        let rejected = dialect.jsonNumber("b.receipt", "counts", "rejected")
        func finished(_ table: String, _ direction: String?, peer: Bool = true) -> LedgerSQL {
            let same = "b.batch_id = \(table).batch_id AND "
                + (direction.map { "b.direction = '\($0)'" } ?? "b.direction = \(table).direction") + (peer ? " AND b.peer = \(table).peer" : "")
            return """
                EXISTS (SELECT 1 FROM batch b WHERE \(raw: same) AND b.created_at < \(before)
                  AND ((b.direction = 'in' AND b.delivered_at IS NOT NULL)
                       OR (b.direction = 'out' AND b.state = 'delivered' AND b.confirmed_at IS NOT NULL
                           AND (coalesce(\(raw: rejected), 0) = 0
                                OR EXISTS (SELECT 1 FROM batch r WHERE r.resubmission_of = b.batch_id AND r.direction = 'out')))))
                """
        }
        return [
            "DELETE FROM batch_record WHERE \(finished("batch_record", "in"))",
            "DELETE FROM outgoing_record WHERE \(finished("outgoing_record", "out", peer: false))",
            "DELETE FROM attempt WHERE \(finished("attempt", "out", peer: false))",
            "DELETE FROM batch_body WHERE \(finished("batch_body", nil))",
            "DELETE FROM batch WHERE \(finished("batch", nil)) RETURNING 1",
        ]
    }

    static func sourceDocument(ofSent batchId: String) -> LedgerSQL {
        """
        SELECT p.source, p.sha256, p.format, p.record_type, p.document FROM batch b JOIN pickup p ON p.source = b.source AND p.sha256 = b.source_sha256
        WHERE b.batch_id = \(batchId) AND b.direction = 'out' AND p.payload_pruned_at IS NULL
        """
    }

    static func documentParts(source: String, sha256: String) -> LedgerSQL {
        "SELECT part, bytes FROM pickup_document WHERE source = \(source) AND sha256 = \(sha256) ORDER BY part"
    }

    static func records(ofSent batchId: String) -> LedgerSQL {
        "SELECT origin, record_id, version FROM outgoing_record WHERE batch_id = \(batchId) ORDER BY position"
    }

    /// The original's row, locked on PostgreSQL: two operators resubmitting it at once on two
    /// replicas resubmit it once.
    static func source(ofSent batchId: String) -> LedgerSQL {
        "SELECT source, source_sha256 FROM batch WHERE batch_id = \(batchId) AND direction = 'out'\(.forUpdate)"
    }

    static func isResubmitted(_ batchId: String) -> LedgerSQL {
        "SELECT 1 AS one FROM batch WHERE resubmission_of = \(batchId) AND direction = 'out'"
    }

    static func recordType(of batchId: String, direction: BatchDirection, peer: Agency?) -> LedgerSQL {
        "SELECT b.record_type FROM batch b WHERE b.batch_id = \(batchId) AND b.direction = \(direction) \(ofPeer(peer, "b"))ORDER BY b.created_at, \(.writeOrder("b")) LIMIT 1"
    }

    /// A batch's stored (maybe sealed) body and its form; no row when pruned.
    static func payload(of batchId: String, direction: BatchDirection, peer: Agency?) -> LedgerSQL {
        """
        SELECT p.body, b.body_form FROM batch b JOIN batch_body p ON p.batch_id = b.batch_id AND p.direction = b.direction AND p.peer = b.peer
        WHERE b.batch_id = \(batchId) AND b.direction = \(direction) \(ofPeer(peer, "b"))ORDER BY b.created_at, \(.writeOrder("b")) LIMIT 1
        """
    }

    static func deliveredBatches(to peer: Agency, since: String, until: String, _ dialect: SQLDialect) -> LedgerSQL {
        let receivedAt = dialect.json("receipt", "receivedAt")
        return """
            SELECT batch_id, body_sha256, record_count FROM batch WHERE direction = 'out' AND peer = \(peer.rawValue) AND state = 'delivered'
              AND \(raw: receivedAt) >= \(since) AND \(raw: receivedAt) < \(until) ORDER BY created_at
            """
    }

    /// Sent batches the peer's manifest holds with the same body (SQLite: at most 500 at once).
    static func markConfirmed(_ batchIds: [String], at: String) -> LedgerSQL {
        "UPDATE batch SET confirmed_at = coalesce(confirmed_at, \(at)) WHERE batch_id \(isIn: batchIds) AND direction = 'out'"
    }

    static func requeue(_ batchId: String, due: String, at: String) -> LedgerSQL {
        """
        UPDATE batch SET state = 'queued', next_attempt_at = \(due), first_attempt_at = NULL, updated_at = \(at)
        WHERE batch_id = \(batchId) AND direction = 'out' AND state IN ('delivered', 'failed') RETURNING 1
        """
    }
}

extension BatchSummary {
    init(row: some LedgerRow) throws {
        self.init(batchId: try row.string("batch_id"), direction: try row.code("direction"), peer: try row.string("peer"),
                  recordType: try row.string("record_type"), state: try row.code("state"), recordCount: try row.optionalInt("record_count"),
                  receipt: try row.optionalString("receipt"), attempts: try row.int("attempts"), createdAt: try row.string("created_at"),
                  updatedAt: try row.string("updated_at"), resubmissionOf: try row.optionalString("resubmission_of"),
                  resubmittedAs: try row.optionalString("resubmitted_as"))
    }
}

extension BatchDetail {
    /// A batch's detail from its row (`OperationsSQL.batch`) and what the other statements found.
    init(row: some LedgerRow, summary: BatchSummary, attempts: [AttemptView], receipt: Receipt?, rejections: [Receipt.Rejection], chain: [String],
         deliveryLosses: [RecordLosses]) throws {
        self.init(summary: summary, bodySha256: try row.string("body_sha256"), encoding: try row.optionalString("body_form"),
                  source: try row.optionalString("source"), deliveredTo: try row.optionalString("delivered_to"),
                  lastAnswer: try row.optionalString("last_answer"), attempts: attempts, receipt: receipt, rejections: rejections, chain: chain,
                  deliveryLosses: deliveryLosses)
    }
}

extension AttemptView {
    init(row: some LedgerRow) throws {
        self.init(attempt: try row.int("attempt"), at: try row.string("at"), outcome: try row.string("outcome"), answer: try row.string("answer"))
    }
}

extension Receipt.Rejection {
    /// A rejected record as `batch_record` keeps it (for batches whose receipt lists none).
    init(row: some LedgerRow) throws {
        self.init(index: try row.int("position"), recordId: try row.string("record_id"), field: try row.optionalString("field") ?? "",
                  code: try row.optionalString("code") ?? "", message: try row.optionalString("message") ?? "")
    }
}

extension RecordHistory.Received {
    init(row: some LedgerRow) throws {
        self.init(batchId: try row.string("batch_id"), version: try row.optionalInt("version"), outcome: try row.code("outcome"),
                  code: try row.optionalString("code"), message: try row.optionalString("message"), at: try row.string("created_at"))
    }
}

extension RecordHistory.Sent {
    init(row: some LedgerRow) throws {
        self.init(batchId: try row.string("batch_id"), peer: try row.string("peer"), version: try row.int("version"), state: try row.code("state"),
                  at: try row.string("created_at"))
    }
}

extension AuditEntry {
    init(row: some LedgerRow) throws {
        self.init(at: try row.string("at"), actor: try row.string("actor"), action: try row.string("action"), target: try row.string("target"),
                  reason: try row.optionalString("reason"), detail: try row.optionalString("detail"))
        id = try row.optionalInt("id").map(Int64.init)
    }
}

extension DeliveredBatch {
    init(row: some LedgerRow) throws {
        self.init(batchId: try row.string("batch_id"), bodySha256: try row.string("body_sha256"), recordCount: try row.optionalInt("record_count"))
    }
}
