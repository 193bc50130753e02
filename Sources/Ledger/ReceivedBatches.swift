import Exchange
import Formats
import Foundation
import GRDB
import Model

extension SQLiteStore: ReceivedBatchStore {
    /// Stores a received batch and its records in one transaction and returns the receipt, which
    /// exists only once everything is committed. Idempotent by batch id; record versions are
    /// decided against every batch received before, this one's earlier records included.
    ///
    /// Per record, one lookup of the record's latest version (`received_record`), and a second of the
    /// same version only when it is not newer; the monthly counts are summed in memory and written
    /// once per flow at the end. Every statement is prepared once per connection.
    public func receive(_ batch: IncomingBatch) async throws -> ReceiveOutcome {
        // Content digests before the write lock is taken: they are most of a record's cost here.
        let digests = batch.records.map { $0.record?.contentDigest }
        let payloadKey = self.payloadKey
        return try await database.write { db -> ReceiveOutcome in
            if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT body_sha256, receipt FROM batch WHERE batch_id = ? AND direction = 'in'"),
                                          arguments: [batch.batchId]) {
                guard (row["body_sha256"] as String) == batch.bodySha256 else { return .conflict }
                return .replayed(try JSONDecoder().decode(Receipt.self, from: Data((row["receipt"] as String).utf8)))
            }
            let now = TimestampPattern.rfc3339.write(batch.receivedAt), month = String(now.prefix(7))
            try db.cachedStatement(sql: """
                INSERT INTO batch (batch_id, direction, peer, record_type, body_sha256, state, created_at, updated_at, body, body_form, record_count)
                VALUES (?, 'in', ?, ?, ?, 'received', ?, ?, ?, ?, ?)
                """).execute(arguments: [batch.batchId, batch.sender.rawValue, batch.recordType.rawValue, batch.bodySha256, now, now,
                                         try PayloadSealing.seal(batch.body, recordType: batch.recordType, key: payloadKey), batch.form.rawValue,
                                         batch.records.count])
            var counts = Receipt.Counts(records: batch.records.count, accepted: 0, duplicates: 0, rejected: 0)
            var rejected: [Receipt.Rejection] = []
            var accepted: [Int] = []
            var flows = FlowCounts()
            let outcome = try db.cachedStatement(sql: """
                INSERT INTO batch_record (batch_id, position, record_id, version, outcome, field, code, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let latest = try db.cachedStatement(sql: """
                SELECT version, first_received_at, coalesce(referring_agency, origin) FROM received_record WHERE origin = ? AND record_id = ?
                """)
            let sameVersion = try db.cachedStatement(sql: """
                SELECT content_sha256, received_at, coalesce(referring_agency, origin) FROM record WHERE origin = ? AND record_id = ? AND version = ?
                """)
            for (index, decoded) in batch.records.enumerated() {
                guard let record = decoded.record, decoded.errors.isEmpty else {
                    let first = decoded.errors.first ?? FieldError("recordId", .invalidValue, "the record could not be read")
                    rejected.append(.init(index: index, recordId: decoded.recordId, field: first.field, code: first.code.rawValue, message: first.message))
                    counts.rejected += 1
                    try outcome.run(in: db) { b in
                        b.text(batch.batchId); b.int(index); b.text(decoded.recordId); b.int(nil); b.text("rejected"); b.text(first.field)
                        b.text(first.code.rawValue); b.text(first.message)
                    }
                    continue
                }
                let owner = record.owner.rawValue, id = record.id.rawValue, version = record.version.rawValue, digest = digests[index]!
                let held = try Row.fetchOne(latest, arguments: [owner, id])
                let heldVersion: Int? = held?[0]
                var same: Row?
                if let heldVersion, version <= heldVersion { same = try Row.fetchOne(sameVersion, arguments: [owner, id, version]) }
                let decision = VersionDecision.decide(version: version, digest: digest, held: heldVersion.map { ($0, "") },
                                                      sameVersionDigest: same?[0])
                switch decision {
                case .accept:
                    let facts = RecordFacts(record, pseudonyms: payloadKey)
                    try Self.insert(record, facts: facts, digest: digest, batchId: batch.batchId, receivedAt: now,
                               before: held.map { ($0[0], $0[1], $0[2]) }, flows: &flows, db: db)
                    flows.add(record.recordType, month: month, origin: facts.referringAgency ?? owner, sender: owner, messages: 1)
                    counts.accepted += 1
                    accepted.append(index)
                    try outcome.run(in: db) { b in
                        b.text(batch.batchId); b.int(index); b.text(decoded.recordId); b.int(version); b.text("accepted"); b.text(nil); b.text(nil); b.text(nil)
                    }
                case .duplicate:
                    // A message, in the month that version was first received.
                    flows.add(record.recordType, month: String((same![1] as String).prefix(7)), origin: same![2], sender: owner, messages: 1)
                    counts.duplicates += 1
                    try outcome.run(in: db) { b in
                        b.text(batch.batchId); b.int(index); b.text(decoded.recordId); b.int(version); b.text("duplicate"); b.text(nil); b.text(nil); b.text(nil)
                    }
                case .conflict, .stale:
                    let (code, message) = decision.rejection!
                    rejected.append(.init(index: index, recordId: decoded.recordId, field: "version", code: code.rawValue, message: message))
                    counts.rejected += 1
                    try outcome.run(in: db) { b in
                        b.text(batch.batchId); b.int(index); b.text(decoded.recordId); b.int(version); b.text("rejected"); b.text("version")
                        b.text(code.rawValue); b.text(message)
                    }
                }
            }
            try flows.write(db)
            let receipt = Receipt(batchId: batch.batchId, receiptId: UUID().uuidString.lowercased(), receivedAt: now,
                                  bodySha256: batch.bodySha256, counts: counts, rejected: rejected)
            try db.cachedStatement(sql: "UPDATE batch SET receipt = ? WHERE batch_id = ? AND direction = 'in'")
                .execute(arguments: [String(decoding: try WireJSON.encode(receipt), as: UTF8.self), batch.batchId])
            return .stored(receipt, accepted: accepted)
        }
    }

    /// The stored receipt of a batch received, if any (`GET /exchange/v1/batches/{id}/receipt`).
    public func receipt(ofReceived batchId: String, from sender: Agency) async throws -> Receipt? {
        try await database.read { db in
            try String.fetchOne(db, sql: "SELECT receipt FROM batch WHERE batch_id = ? AND direction = 'in' AND peer = ?",
                                arguments: [batchId, sender.rawValue])
                .map { try JSONDecoder().decode(Receipt.self, from: Data($0.utf8)) }
        }
    }

    public func manifest(from sender: Agency, since: Date, until: Date) async throws -> [ManifestEntry] {
        try await database.read { db in
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
    /// `before`: the record's latest version held, when it was first received and its flow's origin.
    private static func insert(_ record: CanonicalRecord, facts: RecordFacts, digest: String, batchId: String, receivedAt: String,
                        before: (version: Int, firstReceivedAt: String, flowOrigin: String)?, flows: inout FlowCounts, db: Database) throws {
        let columns = RecordFacts.columns
        let holes = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let owner = record.owner.rawValue, id = record.id.rawValue
        try db.cachedStatement(sql: """
            INSERT INTO record (origin, record_id, version, record_type, content_sha256, batch_id, received_at, event_date, \(columns.joined(separator: ", ")))
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, \(holes))
            """).run(in: db) { b in
                b.text(owner); b.text(id); b.int(record.version.rawValue); b.text(record.recordType.rawValue); b.text(digest)
                b.text(batchId); b.text(receivedAt); b.text(facts.eventDate); facts.bind(&b)
            }
        let flowOrigin = facts.referringAgency ?? owner
        if let before {
            guard record.version.rawValue > before.version else { return }
            try db.cachedStatement(sql: """
                UPDATE received_record SET version = ?, \(columns.map { "\($0) = ?" }.joined(separator: ", ")) WHERE origin = ? AND record_id = ?
                """).run(in: db) { b in b.int(record.version.rawValue); facts.bind(&b); b.text(owner); b.text(id) }
            if before.flowOrigin != flowOrigin {
                let month = String(before.firstReceivedAt.prefix(7))
                flows.add(record.recordType, month: month, origin: before.flowOrigin, sender: owner, records: -1)
                flows.add(record.recordType, month: month, origin: flowOrigin, sender: owner, records: 1)
            }
        } else {
            try db.cachedStatement(sql: """
                INSERT INTO received_record (origin, record_id, record_type, first_received_at, version, \(columns.joined(separator: ", ")))
                VALUES (?, ?, ?, ?, ?, \(holes))
                """).run(in: db) { b in
                    b.text(owner); b.text(id); b.text(record.recordType.rawValue); b.text(receivedAt); b.int(record.version.rawValue); facts.bind(&b)
                }
            flows.add(record.recordType, month: String(receivedAt.prefix(7)), origin: flowOrigin, sender: owner, records: 1)
        }
    }
}

/// Additions to the monthly counts (`flow_month`) made by one receive transaction, summed per flow
/// and written once each at its end.
struct FlowCounts {
    struct Key: Hashable { var type: RecordType; var month: String; var origin: String; var sender: String }
    var changes: [Key: (records: Int, messages: Int)] = [:]

    mutating func add(_ type: RecordType, month: String, origin: String, sender: String, records: Int = 0, messages: Int = 0) {
        let key = Key(type: type, month: month, origin: origin, sender: sender)
        let now = changes[key] ?? (0, 0)
        changes[key] = (now.records + records, now.messages + messages)
    }

    func write(_ db: Database) throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO flow_month (record_type, month, origin, sender, records, messages) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (record_type, month, origin, sender) DO UPDATE SET records = records + excluded.records, messages = messages + excluded.messages
            """)
        for (key, change) in changes where change != (0, 0) {
            try upsert.execute(arguments: [key.type.rawValue, key.month, key.origin, key.sender, change.records, change.messages])
        }
    }
}

extension SQLiteStore: DeliveryLedger {
    public func undeliveredBatches() async throws -> [(batchId: String, sender: Agency)] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT batch_id, peer FROM batch WHERE direction = 'in' AND delivered_at IS NULL ORDER BY created_at, batch_id")
                .compactMap { row in Agency(rawValue: row["peer"]).map { (row["batch_id"], $0) } }
        }
    }

    public func pendingDeliveries() async throws -> [PendingDelivery] {
        var pending: [PendingDelivery] = []
        for batch in try await undeliveredBatches() { if let p = try await pendingDelivery(batch.batchId) { pending.append(p) } }
        return pending
    }

    public func pendingDelivery(_ batchId: String) async throws -> PendingDelivery? {
        let payloadKey = self.payloadKey
        return try await database.read { db -> PendingDelivery? in
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

    public func isDelivered(_ batchId: String) async throws -> Bool {
        try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT 1 FROM batch WHERE batch_id = ? AND direction = 'in' AND delivered_at IS NOT NULL", arguments: [batchId]) != nil
        }
    }

    /// Notes a batch handed to the back office. This commit is not flushed to disk on its own (it
    /// goes with the next one that is): if a power cut loses it, the batch is delivered again at
    /// start under the same file name, or POSTed with the same `X-Gateway-Batch-Id`, which the back
    /// office recognises. Nothing the receipt promised depends on it.
    public func markDelivered(_ batchId: String, to destination: String, at date: Date) async throws {
        let synchronous = self.synchronous
        try await database.writeWithoutTransaction { db in
            try db.inTransaction {
                try db.cachedStatement(sql: "UPDATE batch SET delivered_at = ?, delivered_to = ?, state = 'delivered', updated_at = ? WHERE batch_id = ? AND direction = 'in'")
                    .execute(arguments: [TimestampPattern.rfc3339.write(date), destination, TimestampPattern.rfc3339.write(date), batchId])
                return .commit
            }
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
