import ExchangeProtocol
import Files
import Foundation
import Model
import PostgresNIO

/// Pick-up from the agency, as `SQLiteStore` does it (see there): each document, or each part of
/// one, is written with the batches made of it and the routing it decided, in one transaction.
/// Two replicas that pick up the same document at once write it once: the document's row is the
/// first thing written, and the second replica's insert finds it.
extension PostgresStore {
    public func pickup(source: String, sha256: String) async throws -> PickupEntry? {
        try await autocommit { c in
            try await c.row(PickupSQL.pickup(source: source, sha256: sha256, complete: true)).map { try PickupEntry(row: $0, report: true) }
        }
    }

    public func routes(origin: Agency, recordId: String) async throws -> [Agency: String] {
        try await routes(origin: origin, recordIds: [recordId])[recordId] ?? [:]
    }

    public func routes(origin: Agency, recordIds: [String]) async throws -> [String: [Agency: String]] {
        guard !recordIds.isEmpty else { return [:] }
        return try await autocommit { c in
            var result: [String: [Agency: String]] = [:]
            var start = 0
            while start < recordIds.count {
                let slice = Array(recordIds[start..<min(recordIds.count, start + PickupSQL.chunk(.postgres))])
                start += slice.count
                for row in try await c.rows(PickupSQL.routes(origin: origin, recordIds: slice)) {
                    if let peer = Agency(rawValue: try row.string("peer")) { result[try row.string("record_id"), default: [:]][peer] = try row.string("content_sha256") }
                }
            }
            return result
        }
    }

    public func commitPickup(_ entry: PickupEntry, batches: [QueuedBatch], routed: [RoutedRecord], cursor: (source: String, value: String)?,
                             now: Date) async throws -> Bool {
        let at = Instant.text(now), due = DueTime.string(now), key = payloadKey
        let document = try entry.document.map { Data(try PayloadSealing.seal($0, recordType: entry.recordType, key: key, at: .document(source: entry.source, sha256: entry.sha256))) }
        return try await transaction { c in
            let inserted = try await c.change(PickupSQL.insert(entry, document: document, at: at))
            guard inserted == 1 else { return false }
            try await Self.insert(batches, source: (entry.source, entry.sha256), on: c, at: at, due: due, key: key)
            try await Self.route(routed, on: c, at: at)
            if let cursor {
                try await c.change(PickupSQL.setCursor(source: cursor.source, value: cursor.value, at: at))
            }
            return true
        }
    }

    public func routedRecords() async throws -> [RoutedRecord] {
        try await autocommit { c in
            try await c.rows(PickupSQL.routedRecords).compactMap(RoutedRecord.init(row:))
        }
    }

    public func latestReceived(origin: Agency, recordId: String) async throws -> LatestVersion? {
        try await autocommit { c in
            try await c.row(PickupSQL.latestReceived(origin: origin, recordId: recordId)).map(LatestVersion.init(row:))
        }
    }

    public func pickupCursor(_ source: String) async throws -> String? {
        try await autocommit { c in try await c.row(PickupSQL.cursor(source))?.optionalString("cursor") }
    }

    public func sendingSummary() async throws -> [SendingSummary] {
        let rows = try await autocommit { c in
            try await c.rows(PickupSQL.sendingSummary).map(SendingSummary.Row.init(row:))
        }
        return SendingSummary.summaries(rows)
    }

    // MARK: pick-up in parts

    public func pickupPosition(source: String, sha256: String) async throws -> PickupPosition? {
        try await autocommit { c in
            try await c.row(PickupSQL.pickup(source: source, sha256: sha256, complete: false)).map { row in
                var entry = try PickupEntry(row: row, report: false)
                entry.outcome = .done
                return PickupPosition(position: try row.int("position"), counts: entry)
            }
        }
    }

    public func beginPickup(_ entry: PickupEntry, documentAt path: String, now: Date) async throws {
        let handle: FileHandle
        do { handle = try RegularFile.open(path) } catch let fault as FileFault { throw LedgerError(fault.description) }
        defer { try? handle.close() }
        let at = Instant.text(now), key = payloadKey
        try await transaction { c in
            try await c.change(PickupSQL.begin(entry, at: at))
            var part = 0
            while let data = try handle.read(upToCount: PickupEntry.documentPartBytes), !data.isEmpty {
                let sealed = Data(try PayloadSealing.seal([UInt8](data), recordType: entry.recordType, key: key, at: .documentPart(source: entry.source, sha256: entry.sha256, part: part)))
                try await c.change(PickupSQL.insertPart(source: entry.source, sha256: entry.sha256, part: part, bytes: sealed))
                part += 1
            }
        }
    }

    public func commitPickupPart(source: String, sha256: String, position: Int, counts: PickupEntry, batches: [QueuedBatch], routed: [RoutedRecord],
                                 notes: [PickupNote], final: (outcome: PickupEntry.Outcome, report: String)?, now: Date) async throws {
        let at = Instant.text(now), due = DueTime.string(now), key = payloadKey
        try await transaction { c in
            // The pick-up's row first: a part is committed once, by the replica that holds the pick-up.
            let updated = try await c.change(PickupSQL.commitPart(source: source, sha256: sha256, position: position, counts: counts, final: final))
            guard updated == 1 else { throw LedgerError("the pick-up of \(source) is not under way: it cannot take a part") }
            try await Self.insert(batches, source: (source, sha256), on: c, at: at, due: due, key: key)
            try await Self.route(routed, on: c, at: at)
            if !notes.isEmpty {
                let first = try await c.row(PickupSQL.lastNote(source: source, sha256: sha256))?.int("seq") ?? 0
                var rows = JSONRows()
                for (i, n) in notes.enumerated() {
                    rows.row()
                    rows.int("seq", first + i + 1); rows.text("kind", n.kind.rawValue); rows.int("record_index", n.index); rows.text("record_id", n.recordId)
                    rows.text("detail", n.detail)
                }
                try await c.run("""
                    INSERT INTO pickup_note (source, sha256, seq, kind, record_index, record_id, detail)
                    SELECT \(source), \(sha256), seq, kind, record_index, record_id, detail
                    FROM json_to_recordset(\(rows.document)::json) AS x(seq bigint, kind text, record_index bigint, record_id text, detail text)
                    """)
            }
        }
    }

    public func pickupContents(source: String, sha256: String) async throws -> PickupContents {
        try await autocommit { c in
            let batches = try await c.rows(PickupSQL.batches(source: source, sha256: sha256))
                .map(PickupContents.Batch.init(row:))
            let notes = try await c.rows(PickupSQL.notes(source: source, sha256: sha256)).map(PickupNote.init(row:))
            return PickupContents(batches: batches, notes: notes)
        }
    }

    // MARK: writing batches and routes

    /// Writes batches into the outbox (queued, due now) with their records, naming the document
    /// they were made of: one statement per batch, and one for all their records.
    static func insert(_ batches: [QueuedBatch], source: (String, String)?, on c: PostgresConnection, at: String, due: String, key: PayloadKey?) async throws {
        var records = JSONRows()
        for batch in batches {
            let body = Data(try PayloadSealing.seal(batch.body, recordType: batch.recordType, key: key, at: .batch(id: batch.batchId, direction: .sent)))
            try await c.change(PickupSQL.insertBatch(batch, source: source, due: due, at: at))
            try await c.change(OutboxSQL.insertBody(batchId: batch.batchId, direction: .sent, peer: batch.peer, body: body))
            for (i, r) in batch.records.enumerated() {
                records.row()
                records.text("batch_id", batch.batchId); records.int("position", i); records.text("origin", r.origin.rawValue); records.text("record_id", r.id)
                records.int("version", r.version)
            }
        }
        guard !records.isEmpty else { return }
        try await c.run("""
            INSERT INTO outgoing_record (batch_id, position, origin, record_id, version)
            SELECT batch_id, position, origin, record_id, version
            FROM json_to_recordset(\(records.document)::json) AS x(batch_id text, position bigint, origin text, record_id text, version bigint)
            """)
    }

    /// Notes where records went (the latest version each peer got): the facts follow a higher
    /// version only, as in `SQLiteStore.route`. A record routed twice to one peer in one call is
    /// written in a second statement after the first, so that the rows change in the order given.
    static func route(_ routed: [RoutedRecord], on c: PostgresConnection, at: String) async throws {
        var waves: [JSONRows] = []
        var seen: [String: Int] = [:]
        for r in routed {
            let key = r.origin.rawValue + "\u{1}" + r.recordId + "\u{1}" + r.peer.rawValue
            let wave = seen[key, default: 0]
            seen[key] = wave + 1
            if wave == waves.count { waves.append(JSONRows()) }
            waves[wave].row()
            waves[wave].text("origin", r.origin.rawValue); waves[wave].text("record_id", r.recordId); waves[wave].text("peer", r.peer.rawValue)
            waves[wave].text("record_type", r.recordType.rawValue); waves[wave].int("version", r.version); waves[wave].text("content_sha256", r.contentSha256)
            waves[wave].text("batch_id", r.batchId)
            if let facts = r.facts { facts.write(to: &waves[wave]) }
        }
        let columns = RecordFacts.columns
        for rows in waves {
            try await c.run("""
                INSERT INTO routed_record (origin, record_id, peer, record_type, version, content_sha256, batch_id, routed_at, first_routed_at, \(unescaped: columns.joined(separator: ", ")))
                SELECT origin, record_id, peer, record_type, version, content_sha256, batch_id, \(at), \(at), \(unescaped: columns.joined(separator: ", "))
                FROM json_to_recordset(\(rows.document)::json) AS x(origin text, record_id text, peer text, record_type text, version bigint,
                                                                   content_sha256 text, batch_id text, \(unescaped: RecordFacts.recordsetColumns))
                ORDER BY origin, record_id, peer
                ON CONFLICT (origin, record_id, peer) DO UPDATE SET version = excluded.version, content_sha256 = excluded.content_sha256,
                    batch_id = excluded.batch_id, routed_at = excluded.routed_at,
                    \(unescaped: columns.map { "\($0) = CASE WHEN excluded.version > routed_record.version THEN excluded.\($0) ELSE routed_record.\($0) END" }.joined(separator: ", "))
                """)
        }
    }
}
