import ExchangeProtocol
import Foundation
import GRDB
import Model

/// Pick-up from the agency: each document is written to the ledger with the batches made of it and
/// the routing it decided, in one transaction — all of it, or (after a crash) nothing.
extension SQLiteStore {
    /// The entry of a document picked up before (same source, same content), if any.
    public func pickup(source: String, sha256: String) throws -> PickupEntry? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM pickup WHERE source = ? AND sha256 = ? AND complete = 1", arguments: [source, sha256]).map { row in
                var entry = PickupEntry(source: row["source"], sha256: row["sha256"], recordType: RecordType(rawValue: row["record_type"]) ?? .vacancy,
                                        outcome: PickupEntry.Outcome(rawValue: row["outcome"]) ?? .done)
                entry.records = row["records"]
                entry.queued = row["queued"]
                entry.unchanged = row["unchanged"]
                entry.notRouted = row["not_routed"]
                entry.rejected = row["rejected"]
                entry.report = row["report"]
                return entry
            }
        }
    }

    /// The peers a record of this agency went to, with the digest of the version each has.
    public func routes(origin: Agency, recordId: String) throws -> [Agency: String] {
        try database.read { db in
            var result: [Agency: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT peer, content_sha256 FROM routed_record WHERE origin = ? AND record_id = ?",
                                        arguments: [origin.rawValue, recordId]) {
                if let peer = Agency(rawValue: row["peer"]) { result[peer] = row["content_sha256"] }
            }
            return result
        }
    }

    /// Writes a picked-up document's entry, its batches (queued, due now) and its routing, in one
    /// transaction; with `cursor`, an export's new position too. Returns false, writing nothing, if
    /// the same document was recorded before.
    @discardableResult
    public func commitPickup(_ entry: PickupEntry, batches: [QueuedBatch], routed: [RoutedRecord], cursor: (source: String, value: String)? = nil,
                             now: Date = Date()) throws -> Bool {
        let at = Instant.text(now), due = DueTime.string(now)
        return try database.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM pickup WHERE source = ? AND sha256 = ?", arguments: [entry.source, entry.sha256]) == nil else {
                return false
            }
            try db.execute(sql: """
                INSERT INTO pickup (source, sha256, record_type, picked_at, outcome, records, queued, unchanged, not_routed, rejected, report, document, format)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [entry.source, entry.sha256, entry.recordType.rawValue, at, entry.outcome.rawValue, entry.records, entry.queued,
                                 entry.unchanged, entry.notRouted, entry.rejected, entry.report,
                                 try entry.document.map { try PayloadSealing.seal($0, recordType: entry.recordType, key: payloadKey, at: .document(source: entry.source, sha256: entry.sha256)) }, entry.format])
            try Self.insert(batches, source: (entry.source, entry.sha256), in: db, at: at, due: due, key: payloadKey)
            try Self.route(routed, in: db, at: at)
            if let cursor {
                try db.execute(sql: """
                    INSERT INTO pickup_cursor (source, cursor, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
                    """, arguments: [cursor.source, cursor.value, at])
            }
            return true
        }
    }

    /// Where this agency's records went, each with the version the peer last got.
    public func routedRecords() throws -> [RoutedRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM routed_record ORDER BY origin, record_id, peer").compactMap { row in
                guard let origin = Agency(rawValue: row["origin"]), let peer = Agency(rawValue: row["peer"]),
                      let type = RecordType(rawValue: row["record_type"]) else { return nil }
                return RoutedRecord(origin: origin, recordId: row["record_id"], peer: peer, recordType: type, version: row["version"],
                                    contentSha256: row["content_sha256"], batchId: row["batch_id"])
            }
        }
    }

    /// The latest version of a record this gateway took in, and its status.
    public func latestReceived(origin: Agency, recordId: String) throws -> (version: Int, status: String)? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT version, status FROM record WHERE origin = ? AND record_id = ? ORDER BY version DESC LIMIT 1",
                             arguments: [origin.rawValue, recordId]).map { ($0["version"], $0["status"]) }
        }
    }

    /// Writes batches into the outbox (queued, due now) with their records, naming the document they
    /// were made of.
    static func insert(_ batches: [QueuedBatch], source: (String, String)?, in db: Database, at: String, due: String, key: PayloadKey?) throws {
        let record = try db.makeStatement(sql: "INSERT INTO outgoing_record (batch_id, position, origin, record_id, version) VALUES (?, ?, ?, ?, ?)")
        for batch in batches {
            try db.execute(sql: """
                INSERT INTO batch (batch_id, direction, peer, record_type, body_sha256, state, body_form, next_attempt_at, created_at, updated_at,
                                   record_count, source, source_sha256, resubmission_of)
                VALUES (?, 'out', ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [batch.batchId, batch.peer.rawValue, batch.recordType.rawValue, sha256Hex(batch.body),
                                 batch.form.rawValue, due, at, at, batch.recordCount, source?.0, source?.1, batch.resubmissionOf])
            try BatchBodies.insert(batch.batchId, direction: "out", body: batch.body, recordType: batch.recordType, key: key, in: db)
            for (i, r) in batch.records.enumerated() {
                try record.run(in: db) { b in b.text(batch.batchId); b.int(i); b.text(r.origin.rawValue); b.text(r.id); b.int(r.version) }
            }
        }
    }

    /// Notes where records went (the latest version each peer got).
    static func route(_ routed: [RoutedRecord], in db: Database, at: String) throws {
        // The facts follow a higher version only: a version the peer will refuse (the same one with
        // other content, or an older one) does not change what was sent.
        let columns = RecordFacts.columns
        let route = try db.makeStatement(sql: """
            INSERT INTO routed_record (origin, record_id, peer, record_type, version, content_sha256, batch_id, routed_at, first_routed_at, \(columns.joined(separator: ", ")))
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, \(Array(repeating: "?", count: columns.count).joined(separator: ", ")))
            ON CONFLICT (origin, record_id, peer) DO UPDATE SET version = excluded.version, content_sha256 = excluded.content_sha256,
                batch_id = excluded.batch_id, routed_at = excluded.routed_at,
                \(columns.map { "\($0) = CASE WHEN excluded.version > routed_record.version THEN excluded.\($0) ELSE routed_record.\($0) END" }.joined(separator: ",\n    "))
            """)
        for r in routed {
            try route.run(in: db) { b in
                b.text(r.origin.rawValue); b.text(r.recordId); b.text(r.peer.rawValue); b.text(r.recordType.rawValue); b.int(r.version)
                b.text(r.contentSha256); b.text(r.batchId); b.text(at); b.text(at)
                if let facts = r.facts { facts.bind(&b) } else { for _ in columns { b.text(nil) } }
            }
        }
    }

    /// An export's position (`since`), if it was read before.
    public func pickupCursor(_ source: String) throws -> String? {
        try database.read { db in try String.fetchOne(db, sql: "SELECT cursor FROM pickup_cursor WHERE source = ?", arguments: [source]) }
    }

    /// Per peer and record type, what was sent and what the peers' receipts say became of it —
    /// from the batches delivered so far; batches still queued or failed are counted apart.
    public func sendingSummary() throws -> [SendingSummary] {
        SendingSummary.summaries(try database.read { db in
            try Row.fetchAll(db, sql: "SELECT peer, record_type, state, record_count, receipt, body_form FROM batch WHERE direction = 'out'").map { row in
                SendingSummary.Row(peer: row["peer"], recordType: row["record_type"], state: row["state"], recordCount: row["record_count"],
                                   receipt: row["receipt"], form: row["body_form"])
            }
        })
    }
}
