import ExchangeProtocol
import Foundation
import GRDB
import Model

extension SQLiteStore: ReceivedBatchStore {
    /// Stores a received batch and its records in one transaction and returns the receipt, which
    /// exists only once everything is committed. Idempotent by batch id; record versions are
    /// decided (`ReceivePlan`) against every batch received before, this one's earlier records included.
    ///
    /// Per record, one lookup of the record's latest version (`received_record`), and a second of the
    /// same version only when it is not newer; the monthly counts are summed in memory and written
    /// once per flow at the end. Every statement is prepared once per connection. SQLite has one
    /// writer at a time: nothing else changes the records between the lookups and the writes.
    public func receive(_ batch: IncomingBatch) async throws -> ReceiveOutcome {
        let digests = batch.contentDigests   // made before the write lock is taken
        let payloadKey = self.payloadKey, lease = self.lease
        return try await database.write { db -> ReceiveOutcome in
            let now = Instant.text(batch.receivedAt)
            guard try db.change(ReceiveSQL.insertBatch(batch, at: now, lease: lease)) == 1 else {
                guard let row = try db.row(ReceiveSQL.received(batch.batchId, from: batch.sender)) else { throw LedgerError("batch \(batch.batchId) vanished while it was received") }
                return try ReceiveSQL.replay(row, bodySha256: batch.bodySha256)
            }
            let latest = try db.cachedStatement(sql: """
                SELECT version, first_received_at, coalesce(referring_agency, origin) FROM received_record WHERE origin = ? AND record_id = ?
                """)
            let sameVersion = try db.cachedStatement(sql: """
                SELECT content_sha256, received_at, coalesce(referring_agency, origin) FROM record WHERE origin = ? AND record_id = ? AND version = ?
                """)
            let plan = try ReceivePlan(batch, digests: digests, receivedAt: now, pseudonyms: payloadKey, latest: { key in
                try latest.first(in: db, { b in b.text(key.origin); b.text(key.id) }) { row in
                    ReceivePlan.Latest(version: row.int(0), firstReceivedAt: row.text(1), flowOrigin: row.text(2))
                }
            }, version: { key, version in
                try sameVersion.first(in: db, { b in b.text(key.origin); b.text(key.id); b.int(version) }) { row in
                    ReceivePlan.Version(digest: row.text(0), receivedAt: row.text(1), flowOrigin: row.text(2))
                }
            })
            try Self.write(plan, batchId: batch.batchId, sender: batch.sender.rawValue, receivedAt: now, db: db)
            let receipt = plan.receipt(for: batch, receivedAt: now)
            if receipt.counts.onlyDuplicates {
                try db.change(ReceiveSQL.keepNoBody(batch.batchId, from: batch.sender, at: now))
            } else {
                try BatchBodies.insert(batch.batchId, direction: .received, peer: batch.sender.rawValue, body: batch.body, recordType: batch.recordType, key: payloadKey, in: db)
            }
            try db.change(ReceiveSQL.setReceipt(String(decoding: try WireJSON.encode(receipt), as: UTF8.self), batchId: batch.batchId, from: batch.sender))
            return .stored(receipt, accepted: plan.accepted)
        }
    }

    /// The stored receipt of a batch received, if any (`GET /exchange/v1/batches/{id}/receipt`).
    public func receipt(ofReceived batchId: String, from sender: Agency) async throws -> Receipt? {
        try await database.read { db in
            try db.row(ReceiveSQL.receipt(ofReceived: batchId, from: sender)).flatMap(ReceiveSQL.storedReceipt)
        }
    }

    public func manifest(from sender: Agency, since: Date, until: Date) async throws -> [ManifestEntry] {
        try await database.read { db in
            try db.rows(ReceiveSQL.manifest(from: sender, since: Instant.text(since), until: Instant.text(until)))
                .map(ReceiveSQL.manifestEntry)
        }
    }

    /// Writes a receive plan: each version accepted, each record's statistics row, each record's
    /// outcome, and the monthly counts. Per-record statements bind through SQLite's C API.
    private static func write(_ plan: ReceivePlan, batchId: String, sender: String, receivedAt now: String, db: Database) throws {
        let columns = RecordFacts.columns
        let holes = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let version = try db.cachedStatement(sql: """
            INSERT INTO record (origin, record_id, version, record_type, content_sha256, batch_id, received_at, event_date, \(columns.joined(separator: ", ")))
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, \(holes))
            """)
        for v in plan.versions {
            try version.run(in: db) { b in
                b.text(v.record.owner.rawValue); b.text(v.record.id.rawValue); b.int(v.record.version.rawValue); b.text(v.record.recordType.rawValue)
                b.text(v.digest); b.text(batchId); b.text(now); b.text(v.facts.eventDate); v.facts.bind(&b)
            }
        }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO received_record (origin, record_id, record_type, first_received_at, version, \(columns.joined(separator: ", ")))
            VALUES (?, ?, ?, ?, ?, \(holes))
            """)
        let update = try db.cachedStatement(sql: """
            UPDATE received_record SET version = ?, \(columns.map { "\($0) = ?" }.joined(separator: ", ")) WHERE origin = ? AND record_id = ?
            """)
        for s in plan.statistics {
            if s.isNew {
                try insert.run(in: db) { b in b.text(s.origin); b.text(s.recordId); b.text(s.recordType.rawValue); b.text(now); b.int(s.version); s.facts.bind(&b) }
            } else {
                try update.run(in: db) { b in b.int(s.version); s.facts.bind(&b); b.text(s.origin); b.text(s.recordId) }
            }
        }
        let outcome = try db.cachedStatement(sql: """
            INSERT INTO batch_record (batch_id, peer, position, record_id, version, outcome, field, code, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for o in plan.outcomes {
            try outcome.run(in: db) { b in
                b.text(batchId); b.text(sender); b.int(o.index); b.text(o.recordId); b.int(o.version); b.text(o.outcome.rawValue); b.text(o.field); b.text(o.code); b.text(o.message)
            }
        }
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO flow_month (record_type, month, origin, sender, records, messages) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (record_type, month, origin, sender) DO UPDATE SET records = records + excluded.records, messages = messages + excluded.messages
            """)
        for (key, change) in plan.flows.sorted {
            try upsert.execute(arguments: [key.type.rawValue, key.month, key.origin, key.sender, change.records, change.messages])
        }
    }
}

extension SQLiteStore: DeliveryLedger {
    public func undeliveredBatches() async throws -> [(batchId: String, sender: Agency)] {
        try await database.read { db in
            try db.rows(ReceiveSQL.undelivered).compactMap(ReceiveSQL.undeliveredBatch)
        }
    }

    public func pendingDelivery(_ batchId: String, from sender: Agency) async throws -> PendingDelivery? {
        let payloadKey = self.payloadKey
        return try await database.read { db -> PendingDelivery? in
            guard let row = try db.row(ReceiveSQL.pendingDelivery(batchId, from: sender)) else { return nil }
            let accepted = try db.rows(ReceiveSQL.acceptedPositions(batchId, from: sender)).map { try $0.int("position") }
            return try PendingDelivery(row: row, batchId: batchId, accepted: accepted, key: payloadKey)
        }
    }

    public func isDelivered(_ batchId: String, from sender: Agency) async throws -> Bool {
        try await database.read { db in
            try db.row(ReceiveSQL.isDelivered(batchId, from: sender)) != nil
        }
    }

    /// Takes a received batch for delivery under this process's lease, unless another live
    /// replica holds it (it was received there and is being delivered there); false: leave it.
    public func claimDelivery(_ batchId: String, from sender: Agency, now: Date) async throws -> Bool {
        let lease = self.lease
        return try await database.write { db in try db.change(ReceiveSQL.claimDelivery(batchId, from: sender, lease: lease, now: now)) == 1 }
    }

    /// Notes a batch handed to the back office. This commit is not flushed to disk on its own (it
    /// goes with the next one that is): if a power cut loses it, the batch is delivered again at
    /// start under the same file name, or POSTed with the same `X-Gateway-Batch-Id`, which the back
    /// office recognises. Nothing the receipt promised depends on it.
    public func markDelivered(_ batchId: String, from sender: Agency, to destination: String, at date: Date, losses: [RecordLosses]) async throws {
        let lost = try RecordLosses.column(losses)
        try await database.writeWithoutTransaction { db in
            try db.inTransaction {
                try db.change(ReceiveSQL.markDelivered(batchId, from: sender, to: destination, at: Instant.text(date), losses: lost))
                return .commit
            }
        }
    }
}

extension SQLiteStore {
    /// Rows of a read-only query, every value as text (nil for NULL): for the statistics module,
    /// which owns its SQL.
    public func rows(_ sql: String, _ arguments: [String]) async throws -> [[String?]] {
        try await database.read { db in
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
