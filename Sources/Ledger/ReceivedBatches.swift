import Exchange
import Formats
import Foundation
import GRDB
import Model

extension SQLiteStore: ReceivedBatchStore {
    /// Stores a received batch and its records in one transaction and returns the receipt, which
    /// exists only once everything is committed. Idempotent by batch id; record versions are
    /// decided against every batch received before, this one's earlier records included.
    public func receive(_ batch: IncomingBatch) throws -> ReceiveOutcome {
        try database.write { db -> ReceiveOutcome in
            if let row = try Row.fetchOne(db, sql: "SELECT body_sha256, receipt FROM batch WHERE batch_id = ? AND direction = 'in'",
                                          arguments: [batch.batchId]) {
                guard (row["body_sha256"] as String) == batch.bodySha256 else { return .conflict }
                return .replayed(try JSONDecoder().decode(Receipt.self, from: Data((row["receipt"] as String).utf8)))
            }
            let now = TimestampPattern.rfc3339.write(batch.receivedAt)
            try db.execute(sql: """
                INSERT INTO batch (batch_id, direction, peer, record_type, body_sha256, state, created_at, updated_at, body, body_form, record_count)
                VALUES (?, 'in', ?, ?, ?, 'received', ?, ?, ?, ?, ?)
                """, arguments: [batch.batchId, batch.sender.rawValue, batch.recordType.rawValue, batch.bodySha256, now, now,
                                 try PayloadSealing.seal(batch.body, recordType: batch.recordType, key: payloadKey), batch.form.rawValue, batch.records.count])
            var counts = Receipt.Counts(records: batch.records.count, accepted: 0, duplicates: 0, rejected: 0)
            var rejected: [Receipt.Rejection] = []
            let outcome = try db.makeStatement(sql: """
                INSERT INTO batch_record (batch_id, position, record_id, version, outcome, field, code, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for (index, decoded) in batch.records.enumerated() {
                guard let record = decoded.record, decoded.errors.isEmpty else {
                    let first = decoded.errors.first ?? FieldError("recordId", .invalidValue, "the record could not be read")
                    rejected.append(.init(index: index, recordId: decoded.recordId, field: first.field, code: first.code.rawValue, message: first.message))
                    counts.rejected += 1
                    try outcome.execute(arguments: [batch.batchId, index, decoded.recordId, nil, "rejected", first.field, first.code.rawValue, first.message])
                    continue
                }
                let version = record.version.rawValue, digest = record.contentDigest
                let held = try Row.fetchOne(db, sql: """
                    SELECT version, content_sha256 FROM record WHERE origin = ? AND record_id = ? ORDER BY version DESC LIMIT 1
                    """, arguments: [record.owner.rawValue, record.id.rawValue])
                let same = try String.fetchOne(db, sql: "SELECT content_sha256 FROM record WHERE origin = ? AND record_id = ? AND version = ?",
                                               arguments: [record.owner.rawValue, record.id.rawValue, version])
                let decision = VersionDecision.decide(version: version, digest: digest,
                                                      held: held.map { ($0["version"], $0["content_sha256"]) }, sameVersionDigest: same)
                switch decision {
                case .accept:
                    try insert(record, digest: digest, batchId: batch.batchId, receivedAt: now, db: db)
                    try countMessage(record, version: version, db: db)
                    counts.accepted += 1
                    try outcome.execute(arguments: [batch.batchId, index, decoded.recordId, version, "accepted", nil, nil, nil])
                case .duplicate:
                    try countMessage(record, version: version, db: db)
                    counts.duplicates += 1
                    try outcome.execute(arguments: [batch.batchId, index, decoded.recordId, version, "duplicate", nil, nil, nil])
                case .conflict, .stale:
                    let (code, message) = decision.rejection!
                    rejected.append(.init(index: index, recordId: decoded.recordId, field: "version", code: code.rawValue, message: message))
                    counts.rejected += 1
                    try outcome.execute(arguments: [batch.batchId, index, decoded.recordId, version, "rejected", "version", code.rawValue, message])
                }
            }
            let receipt = Receipt(batchId: batch.batchId, receiptId: UUID().uuidString.lowercased(), receivedAt: now,
                                  bodySha256: batch.bodySha256, counts: counts, rejected: rejected)
            try db.execute(sql: "UPDATE batch SET receipt = ? WHERE batch_id = ? AND direction = 'in'",
                           arguments: [String(decoding: try WireJSON.encode(receipt), as: UTF8.self), batch.batchId])
            return .stored(receipt)
        }
    }

    /// The stored receipt of a batch received, if any (`GET /exchange/v1/batches/{id}/receipt`).
    public func receipt(ofReceived batchId: String, from sender: Agency) throws -> Receipt? {
        try database.read { db in
            try String.fetchOne(db, sql: "SELECT receipt FROM batch WHERE batch_id = ? AND direction = 'in' AND peer = ?",
                                arguments: [batchId, sender.rawValue])
                .map { try JSONDecoder().decode(Receipt.self, from: Data($0.utf8)) }
        }
    }

    public func manifest(from sender: Agency, since: Date, until: Date) throws -> [ManifestEntry] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT receipt, body_sha256 FROM batch WHERE direction = 'in' AND peer = ? AND created_at >= ? AND created_at <= ? ORDER BY created_at, batch_id
                """, arguments: [sender.rawValue, TimestampPattern.rfc3339.write(since), TimestampPattern.rfc3339.write(until)])
                .map { row in
                    let r = try JSONDecoder().decode(Receipt.self, from: Data((row["receipt"] as String).utf8))
                    // The digest of the body held, as stored: what reconciliation compares.
                    return ManifestEntry(batchId: r.batchId, bodySha256: row["body_sha256"], receivedAt: r.receivedAt, counts: r.counts)
                }
        }
    }

    /// Stores an accepted version, and keeps the record's statistics row and monthly counts: a
    /// record is counted in the month it was first received, as its latest version describes it.
    private func insert(_ record: CanonicalRecord, digest: String, batchId: String, receivedAt: String, db: Database) throws {
        let facts = RecordFacts(record), columns = RecordFacts.columns
        let holes = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        try db.cachedStatement(sql: """
            INSERT INTO record (origin, record_id, version, record_type, content_sha256, batch_id, received_at, event_date, \(columns.joined(separator: ", ")))
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, \(holes))
            """).execute(arguments: StatementArguments([record.owner.rawValue, record.id.rawValue, record.version.rawValue, record.recordType.rawValue, digest,
                                                        batchId, receivedAt, facts.eventDate] + facts.values))
        let before = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT version, first_received_at, coalesce(referring_agency, origin) AS flow_origin FROM received_record WHERE origin = ? AND record_id = ?
            """), arguments: [record.owner.rawValue, record.id.rawValue])
        let flowOrigin = facts.referringAgency ?? record.owner.rawValue
        if let before {
            guard record.version.rawValue > (before["version"] as Int) else { return }
            try db.cachedStatement(sql: """
                UPDATE received_record SET version = ?, \(columns.map { "\($0) = ?" }.joined(separator: ", ")) WHERE origin = ? AND record_id = ?
                """).execute(arguments: StatementArguments([record.version.rawValue] + facts.values + [record.owner.rawValue, record.id.rawValue]))
            let was: String = before["flow_origin"]
            if was != flowOrigin {
                let month = String((before["first_received_at"] as String).prefix(7))
                try count(record.recordType, month: month, origin: was, sender: record.owner.rawValue, records: -1, db: db)
                try count(record.recordType, month: month, origin: flowOrigin, sender: record.owner.rawValue, records: 1, db: db)
            }
        } else {
            try db.cachedStatement(sql: """
                INSERT INTO received_record (origin, record_id, record_type, first_received_at, version, \(columns.joined(separator: ", ")))
                VALUES (?, ?, ?, ?, ?, \(holes))
                """).execute(arguments: StatementArguments([record.owner.rawValue, record.id.rawValue, record.recordType.rawValue, receivedAt,
                                                            record.version.rawValue] + facts.values))
            try count(record.recordType, month: String(receivedAt.prefix(7)), origin: flowOrigin, sender: record.owner.rawValue, records: 1, db: db)
        }
    }

    /// Adds to the monthly counts of one flow (`flow_month`).
    private func count(_ type: RecordType, month: String, origin: String, sender: String, records: Int = 0, messages: Int = 0, db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO flow_month (record_type, month, origin, sender, records, messages) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (record_type, month, origin, sender) DO UPDATE SET records = records + excluded.records, messages = messages + excluded.messages
            """).execute(arguments: [type.rawValue, month, origin, sender, records, messages])
    }

    /// A message counted: a version accepted or received again (duplicate), in the month that version was first received.
    private func countMessage(_ record: CanonicalRecord, version: Int, db: Database) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT received_at, coalesce(referring_agency, origin) AS flow_origin FROM record WHERE origin = ? AND record_id = ? AND version = ?
            """), arguments: [record.owner.rawValue, record.id.rawValue, version]) else { return }
        try count(record.recordType, month: String((row["received_at"] as String).prefix(7)), origin: row["flow_origin"], sender: record.owner.rawValue,
                  messages: 1, db: db)
    }
}

extension SQLiteStore: DeliveryLedger {
    public func undeliveredBatches() throws -> [(batchId: String, sender: Agency)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT batch_id, peer FROM batch WHERE direction = 'in' AND delivered_at IS NULL ORDER BY created_at, batch_id")
                .compactMap { row in Agency(rawValue: row["peer"]).map { (row["batch_id"], $0) } }
        }
    }

    public func pendingDeliveries() throws -> [PendingDelivery] {
        try undeliveredBatches().compactMap { try pendingDelivery($0.batchId) }
    }

    public func pendingDelivery(_ batchId: String) throws -> PendingDelivery? {
        try database.read { db -> PendingDelivery? in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT peer, record_type, body, body_form FROM batch WHERE batch_id = ? AND direction = 'in' AND delivered_at IS NULL
                """, arguments: [batchId]),
                let sender = Agency(rawValue: row["peer"]), let type = RecordType(rawValue: row["record_type"]),
                let form = ExchangeFormat.Form(rawValue: row["body_form"] ?? "json") else { return nil }
            let accepted = try Int.fetchAll(db, sql: "SELECT position FROM batch_record WHERE batch_id = ? AND outcome = 'accepted'", arguments: [batchId])
            return PendingDelivery(batchId: batchId, sender: sender, recordType: type, body: try PayloadSealing.open(row["body"] as Data? ?? Data(), key: payloadKey),
                                   form: form, accepted: Set(accepted))
        }
    }

    public func markDelivered(_ batchId: String, to destination: String, at date: Date) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE batch SET delivered_at = ?, delivered_to = ?, state = 'delivered', updated_at = ? WHERE batch_id = ? AND direction = 'in'",
                           arguments: [TimestampPattern.rfc3339.write(date), destination, TimestampPattern.rfc3339.write(date), batchId])
        }
    }
}

extension SQLiteStore {
    /// Rows of a read-only query, every value as text (nil for NULL): for the statistics module,
    /// which owns its SQL.
    public func rows(_ sql: String, _ arguments: [String]) throws -> [[String?]] {
        try database.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                row.databaseValues.map { value -> String? in
                    switch value.storage {
                    case .null: nil
                    case .int64(let n): String(n)
                    case .double(let d): String(d)
                    case .string(let s): s
                    case .blob(let data): "<\(data.count) bytes>"
                    }
                }
            }
        }
    }
}
