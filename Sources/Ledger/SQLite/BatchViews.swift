import ExchangeProtocol
import Foundation
import GRDB
import Model

extension SQLiteStore {
    private static let summaryColumns = BatchSummary.columns(.sqlite)

    private static func summary(_ row: Row) -> BatchSummary {
        BatchSummary(batchId: row["batch_id"], direction: row["direction"], peer: row["peer"], recordType: row["record_type"], state: row["state"],
                     recordCount: row["record_count"], receipt: row["receipt"], attempts: row["attempts"], createdAt: row["created_at"],
                     updatedAt: row["updated_at"], resubmissionOf: row["resubmission_of"], resubmittedAs: row["resubmitted_as"])
    }

    /// The batches a filter selects, newest first.
    public func batches(_ filter: BatchFilter) throws -> [BatchSummary] {
        let (sql, arguments) = filter.query(.sqlite)
        return try database.read { db in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.summary) }
    }

    /// One batch, either way (a sent batch first if an id names both).
    public func batch(_ batchId: String) throws -> BatchDetail? {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT \(Self.summaryColumns), b.body_sha256, b.body_form, b.source, b.delivered_to, b.last_answer, b.receipt AS receipt_text
                FROM batch b WHERE b.batch_id = ? ORDER BY b.direction = 'out' DESC LIMIT 1
                """, arguments: [batchId]) else { return nil }
            let summary = Self.summary(row)
            let attempts = try Row.fetchAll(db, sql: "SELECT attempt, at, outcome, answer FROM attempt WHERE batch_id = ? ORDER BY attempt", arguments: [batchId])
                .map { AttemptView(attempt: $0["attempt"], at: $0["at"], outcome: $0["outcome"], answer: $0["answer"]) }
            let receipt = (row["receipt_text"] as String?).flatMap { try? JSONDecoder().decode(Receipt.self, from: Data($0.utf8)) }
            var rejections = receipt?.rejected ?? []
            if summary.direction == "in" && rejections.isEmpty {
                rejections = try Row.fetchAll(db, sql: """
                    SELECT position, record_id, field, code, message FROM batch_record WHERE batch_id = ? AND outcome = 'rejected' ORDER BY position
                    """, arguments: [batchId]).map { .init(index: $0["position"], recordId: $0["record_id"], field: $0["field"] ?? "", code: $0["code"] ?? "", message: $0["message"] ?? "") }
            }
            let losses = summary.direction != "in" ? [] : RecordLosses.read(try String.fetchOne(db, sql: """
                SELECT delivery_losses FROM batch WHERE batch_id = ? AND direction = 'in'
                """, arguments: [batchId]))
            // The chain: back through resubmission_of, then forward through the batches that resubmit.
            var chain = [batchId]
            var back = summary.resubmissionOf
            while let id = back, !chain.contains(id) {
                chain.insert(id, at: 0)
                back = try String.fetchOne(db, sql: "SELECT resubmission_of FROM batch WHERE batch_id = ? AND direction = 'out'", arguments: [id])
            }
            var forward = batchId
            while let next = try String.fetchOne(db, sql: "SELECT batch_id FROM batch WHERE resubmission_of = ? AND direction = 'out' ORDER BY created_at LIMIT 1",
                                                 arguments: [forward]), !chain.contains(next) {
                chain.append(next)
                forward = next
            }
            return BatchDetail(summary: summary, bodySha256: row["body_sha256"], encoding: row["body_form"], source: row["source"],
                               deliveredTo: row["delivered_to"], lastAnswer: row["last_answer"], attempts: attempts, receipt: receipt,
                               rejections: rejections, chain: chain, deliveryLosses: losses)
        }
    }

    /// A record's history at this gateway: the versions received and sent, in the order the batches
    /// were stored (two in one second keep their order).
    public func history(origin: Agency, recordId: String) throws -> RecordHistory {
        try database.read { db in
            let received = try Row.fetchAll(db, sql: """
                SELECT br.batch_id, br.version, br.outcome, br.code, br.message, b.created_at FROM batch_record br
                JOIN batch b ON b.batch_id = br.batch_id AND b.direction = 'in'
                WHERE br.record_id = ? AND b.peer = ? ORDER BY b.created_at, b.rowid
                """, arguments: [recordId, origin.rawValue]).map {
                RecordHistory.Received(batchId: $0["batch_id"], version: $0["version"], outcome: $0["outcome"], code: $0["code"], message: $0["message"], at: $0["created_at"])
            }
            let sent = try Row.fetchAll(db, sql: """
                SELECT o.batch_id, b.peer, o.version, b.state, b.created_at FROM outgoing_record o
                JOIN batch b ON b.batch_id = o.batch_id AND b.direction = 'out'
                WHERE o.origin = ? AND o.record_id = ? ORDER BY b.created_at, b.rowid
                """, arguments: [origin.rawValue, recordId]).map {
                RecordHistory.Sent(batchId: $0["batch_id"], peer: $0["peer"], version: $0["version"], state: $0["state"], at: $0["created_at"])
            }
            return RecordHistory(origin: origin.rawValue, recordId: recordId, received: received, sent: sent)
        }
    }

    /// The operators' actions, newest first.
    public func auditLog(limit: Int = 100) throws -> [AuditEntry] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT at, actor, action, target, reason, detail FROM audit ORDER BY id DESC LIMIT ?", arguments: [limit]).map {
                AuditEntry(at: $0["at"], actor: $0["actor"], action: $0["action"], target: $0["target"], reason: $0["reason"], detail: $0["detail"])
            }
        }
    }

    /// Writes an operator action to the audit log.
    public func audit(_ entry: AuditEntry, now: Date = Date()) throws {
        try database.write { db in try Self.insert(entry, in: db, at: Instant.text(now)) }
    }

    static func insert(_ entry: AuditEntry, in db: Database, at: String) throws {
        try db.execute(sql: "INSERT INTO audit (at, actor, action, target, reason, detail) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [at, entry.actor, entry.action, entry.target, entry.reason, entry.detail])
    }

    /// The document a sent batch was made of, and its format, if the ledger has it.
    public func sourceDocument(ofSent batchId: String) throws -> (source: String, format: String, recordType: RecordType, document: [UInt8])? {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT p.source, p.sha256, p.format, p.record_type, p.document FROM batch b JOIN pickup p ON p.source = b.source AND p.sha256 = b.source_sha256
                WHERE b.batch_id = ? AND b.direction = 'out' AND p.payload_pruned_at IS NULL
                """, arguments: [batchId]), let type = RecordType(rawValue: row["record_type"]), let format: String = row["format"] else { return nil }
            let (source, sha256): (String, String) = (row["source"], row["sha256"])
            if let whole = row["document"] as Data? { return (source, format, type, try PayloadSealing.open(whole, key: payloadKey, at: .document(source: source, sha256: sha256))) }
            // A document kept in parts (migration 0010).
            var document: [UInt8] = []
            for part in try Row.fetchAll(db, sql: "SELECT part, bytes FROM pickup_document WHERE source = ? AND sha256 = ? ORDER BY part", arguments: [source, sha256]) {
                document += try PayloadSealing.open(part["bytes"], key: payloadKey, at: .documentPart(source: source, sha256: sha256, part: part["part"]))
            }
            return document.isEmpty ? nil : (source, format, type, document)
        }
    }

    /// The records of a sent batch, in order.
    public func records(ofSent batchId: String) throws -> [(origin: Agency, id: String, version: Int)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT origin, record_id, version FROM outgoing_record WHERE batch_id = ? ORDER BY position", arguments: [batchId])
                .compactMap { row in Agency(rawValue: row["origin"]).map { ($0, row["record_id"], row["version"]) } }
        }
    }

    /// Writes the batches that resubmit `original`, their routing and the operator's action, in one
    /// transaction — unless `original` was resubmitted already (a run interrupted and run again):
    /// then nothing is written and false is answered.
    @discardableResult
    public func commitResubmission(of original: String, batches: [QueuedBatch], routed: [RoutedRecord], audit entry: AuditEntry,
                                   now: Date = Date()) throws -> Bool {
        let at = Instant.text(now), due = DueTime.string(now)
        return try database.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM batch WHERE resubmission_of = ? AND direction = 'out'", arguments: [original]) == nil else { return false }
            let source = try Row.fetchOne(db, sql: "SELECT source, source_sha256 FROM batch WHERE batch_id = ? AND direction = 'out'", arguments: [original])
            try Self.insert(batches, source: source.flatMap { row in (row["source"] as String?).map { ($0, row["source_sha256"] as String? ?? "") } },
                            in: db, at: at, due: due, key: payloadKey)
            try Self.route(routed, in: db, at: at)
            try Self.insert(entry, in: db, at: at)
            return true
        }
    }
}

extension SQLiteStore {
    /// A batch's exchange body, as sent or received (nil: no such batch, or its payload was pruned).
    public func payload(of batchId: String, direction: String) throws -> (bytes: [UInt8], form: BatchForm)? {
        try database.read { db in
            guard let form = try String.fetchOne(db, sql: "SELECT body_form FROM batch WHERE batch_id = ? AND direction = ?", arguments: [batchId, direction])
                .flatMap(BatchForm.init(rawValue:)),
                  let data = try BatchBodies.fetch(batchId, direction: direction, in: db) else { return nil }
            return (try PayloadSealing.open(data, key: payloadKey, at: .batch(id: batchId, direction: direction)), form)
        }
    }

    /// The record type of a batch, if the ledger has it (payload or not).
    public func recordType(of batchId: String, direction: String) throws -> RecordType? {
        try database.read { db in
            try String.fetchOne(db, sql: "SELECT record_type FROM batch WHERE batch_id = ? AND direction = ?", arguments: [batchId, direction])
                .flatMap(RecordType.init(rawValue:))
        }
    }

    /// A sent batch's exchange body, as sent.
    public func body(ofSent batchId: String) throws -> (bytes: [UInt8], form: BatchForm)? {
        try payload(of: batchId, direction: "out")
    }
}

extension SQLiteStore {
    /// The batches delivered to a peer whose receipts say they were received between two instants.
    public func deliveredBatches(to peer: Agency, receivedSince since: Date, until: Date) throws -> [DeliveredBatch] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT batch_id, body_sha256, record_count FROM batch WHERE direction = 'out' AND peer = ? AND state = 'delivered'
                  AND json_extract(receipt, '$.receivedAt') >= ? AND json_extract(receipt, '$.receivedAt') < ? ORDER BY created_at
                """, arguments: [peer.rawValue, Instant.text(since), Instant.text(until)])
                .map { DeliveredBatch(batchId: $0["batch_id"], bodySha256: $0["body_sha256"], recordCount: $0["record_count"]) }
        }
    }

    /// Queues a sent batch again, with its id and body, and writes the action to the audit log;
    /// false if it is not a batch this gateway sent.
    public func requeue(_ batchId: String, audit entry: AuditEntry, now: Date = Date()) throws -> Bool {
        let at = Instant.text(now)
        return try database.write { db in
            try db.execute(sql: """
                UPDATE batch SET state = 'queued', next_attempt_at = ?, first_attempt_at = NULL, updated_at = ?
                WHERE batch_id = ? AND direction = 'out' AND state IN ('delivered', 'failed')
                """, arguments: [DueTime.string(now), at, batchId])
            guard db.changesCount == 1 else { return false }
            try Self.insert(entry, in: db, at: at)
            return true
        }
    }
}
