import ExchangeProtocol
import Foundation
import GRDB
import Model

/// Pick-up from the agency: each document is written to the ledger with the batches made of it and
/// the routing it decided, in one transaction — all of it, or (after a crash) nothing.
extension SQLiteStore {
    /// The entry of a document picked up before (same source, same content), if any.
    public func pickup(source: String, sha256: String) async throws -> PickupEntry? {
        try await database.read { db in
            try db.row(PickupSQL.pickup(source: source, sha256: sha256, complete: true)).map { try PickupEntry(row: $0, report: true) }
        }
    }

    /// The peers a record of this agency went to, with the digest of the version each has.
    public func routes(origin: Agency, recordId: String) async throws -> [Agency: String] {
        try await routes(origin: origin, recordIds: [recordId])[recordId] ?? [:]
    }

    /// Writes a picked-up document's entry, its batches (queued, due now) and its routing, in one
    /// transaction; with `cursor`, an export's new position too. Returns false, writing nothing, if
    /// the same document was recorded before.
    @discardableResult
    public func commitPickup(_ entry: PickupEntry, batches: [QueuedBatch], routed: [RoutedRecord], cursor: (source: String, value: String)? = nil,
                             now: Date = Date()) async throws -> Bool {
        let at = Instant.text(now), due = DueTime.string(now)
        return try await database.write { db in
            let document = try entry.document.map { Data(try PayloadSealing.seal($0, recordType: entry.recordType, key: payloadKey, at: .document(source: entry.source, sha256: entry.sha256))) }
            guard try db.change(PickupSQL.insert(entry, document: document, at: at)) == 1 else { return false }
            try Self.insert(batches, source: (entry.source, entry.sha256), in: db, at: at, due: due, key: payloadKey)
            try Self.route(routed, in: db, at: at)
            if let cursor {
                try db.change(PickupSQL.setCursor(source: cursor.source, value: cursor.value, at: at))
            }
            return true
        }
    }

    /// Where this agency's records went, each with the version the peer last got.
    public func routedRecords() async throws -> [RoutedRecord] {
        try await database.read { db in
            try db.rows(PickupSQL.routedRecords).compactMap(RoutedRecord.init(row:))
        }
    }

    /// The latest version of a record this gateway took in, and its status.
    public func latestReceived(origin: Agency, recordId: String) async throws -> LatestVersion? {
        try await database.read { db in
            try db.row(PickupSQL.latestReceived(origin: origin, recordId: recordId)).map(LatestVersion.init(row:))
        }
    }

    /// Writes batches into the outbox (queued, due now) with their records, naming the document they
    /// were made of.
    static func insert(_ batches: [QueuedBatch], source: (String, String)?, in db: Database, at: String, due: String, key: PayloadKey?) throws {
        let record = try db.makeStatement(sql: "INSERT INTO outgoing_record (batch_id, position, origin, record_id, version) VALUES (?, ?, ?, ?, ?)")
        for batch in batches {
            try db.change(PickupSQL.insertBatch(batch, source: source, due: due, at: at))
            try BatchBodies.insert(batch.batchId, direction: .sent, peer: batch.peer.rawValue, body: batch.body, recordType: batch.recordType, key: key, in: db)
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
    public func pickupCursor(_ source: String) async throws -> String? {
        try await database.read { db in try db.row(PickupSQL.cursor(source))?.optionalString("cursor") }
    }

    /// Per peer and record type, what was sent and what the peers' receipts say became of it —
    /// from the batches delivered so far; batches still queued or failed are counted apart.
    public func sendingSummary() async throws -> [SendingSummary] {
        SendingSummary.summaries(try await database.read { db in
            try db.rows(PickupSQL.sendingSummary).map(SendingSummary.Row.init(row:))
        })
    }
}
