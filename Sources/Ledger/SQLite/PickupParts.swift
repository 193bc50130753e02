import ExchangeProtocol
import Files
import Foundation
import GRDB
import Model

/// A large document picked up in parts: the pickup row is written first, with the document itself,
/// then each part commits its batches, its routing, its notes and the position reached, and the
/// last one marks the document complete. A pass cut short finds the document incomplete and goes
/// on after the position reached, so nothing is queued twice and nothing read is skipped.
extension SQLiteStore {

    /// Where an incomplete pick-up of this document stands (nil: never started, or complete).
    public func pickupPosition(source: String, sha256: String) throws -> (position: Int, counts: PickupEntry)? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM pickup WHERE source = ? AND sha256 = ? AND complete = 0", arguments: [source, sha256]).map { row in
                var entry = PickupEntry(source: row["source"], sha256: row["sha256"], recordType: RecordType(rawValue: row["record_type"]) ?? .vacancy,
                                        outcome: .done)
                (entry.records, entry.queued, entry.unchanged, entry.notRouted, entry.rejected) =
                    (row["records"], row["queued"], row["unchanged"], row["not_routed"], row["rejected"])
                entry.format = row["format"]
                return (row["position"], entry)
            }
        }
    }

    /// Starts the pick-up of a document: its row (incomplete, at position 0) and the document itself,
    /// read from `path` in parts (sealed if they are trainee records and a payload key is set).
    public func beginPickup(_ entry: PickupEntry, documentAt path: String, now: Date = Date()) throws {
        let handle: FileHandle
        do { handle = try RegularFile.open(path) } catch let fault as FileFault { throw LedgerError(fault.description) }
        defer { try? handle.close() }
        let at = Instant.text(now)
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO pickup (source, sha256, record_type, picked_at, outcome, records, queued, unchanged, not_routed, rejected, report, format,
                                    complete, position)
                VALUES (?, ?, ?, ?, 'done', 0, 0, 0, 0, 0, '{}', ?, 0, 0)
                """, arguments: [entry.source, entry.sha256, entry.recordType.rawValue, at, entry.format])
            var part = 0
            while let data = try handle.read(upToCount: PickupEntry.documentPartBytes), !data.isEmpty {
                try db.execute(sql: "INSERT INTO pickup_document (source, sha256, part, bytes) VALUES (?, ?, ?, ?)",
                               arguments: [entry.source, entry.sha256, part, try PayloadSealing.seal([UInt8](data), recordType: entry.recordType, key: payloadKey, at: .documentPart(source: entry.source, sha256: entry.sha256, part: part))])
                part += 1
            }
        }
    }

    /// Commits one part: its batches (queued, due now), where its records went, its notes, and the
    /// counts and position reached. With `final`, the document is complete, with its report and
    /// outcome (and an export's new cursor).
    public func commitPickupPart(source: String, sha256: String, position: Int, counts: PickupEntry, batches: [QueuedBatch], routed: [RoutedRecord],
                                 notes: [PickupNote], final: (outcome: PickupEntry.Outcome, report: String)? = nil, now: Date = Date()) throws {
        let at = Instant.text(now), due = DueTime.string(now)
        let key = payloadKey
        try database.write { db in
            try Self.insert(batches, source: (source, sha256), in: db, at: at, due: due, key: key)
            try Self.route(routed, in: db, at: at)
            var seq = try Int.fetchOne(db, sql: "SELECT coalesce(MAX(seq), 0) FROM pickup_note WHERE source = ? AND sha256 = ?", arguments: [source, sha256]) ?? 0
            let note = try db.cachedStatement(sql: """
                INSERT INTO pickup_note (source, sha256, seq, kind, record_index, record_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for n in notes {
                seq += 1
                try note.run(in: db) { b in
                    b.text(source); b.text(sha256); b.int(seq); b.text(n.kind.rawValue); b.int(n.index); b.text(n.recordId); b.text(n.detail)
                }
            }
            try db.execute(sql: """
                UPDATE pickup SET position = ?, records = ?, queued = ?, unchanged = ?, not_routed = ?, rejected = ?,
                    complete = ?, outcome = ?, report = coalesce(?, report)
                WHERE source = ? AND sha256 = ? AND complete = 0
                """, arguments: [position, counts.records, counts.queued, counts.unchanged, counts.notRouted, counts.rejected,
                                 final == nil ? 0 : 1, (final?.outcome ?? .done).rawValue, final?.report, source, sha256])
            guard db.changesCount == 1 else { throw LedgerError("the pick-up of \(source) is not under way: it cannot take a part") }
        }
    }

    /// The batches made of a document so far, in the order they were made, and the notes on its records.
    public func pickupContents(source: String, sha256: String) throws -> (batches: [(batchId: String, peer: String, records: Int, encoding: String)],
                                                                           notes: [PickupNote]) {
        try database.read { db in
            let batches = try Row.fetchAll(db, sql: """
                SELECT batch_id, peer, record_count, body_form FROM batch WHERE direction = 'out' AND source = ? AND source_sha256 = ? ORDER BY rowid
                """, arguments: [source, sha256]).map { ($0["batch_id"] as String, $0["peer"] as String, $0["record_count"] as Int? ?? 0, $0["body_form"] as String? ?? "json") }
            let notes = try Row.fetchAll(db, sql: "SELECT * FROM pickup_note WHERE source = ? AND sha256 = ? ORDER BY seq", arguments: [source, sha256])
                .map { PickupNote(kind: PickupNote.Kind(rawValue: $0["kind"]) ?? .notRouted, index: $0["record_index"], recordId: $0["record_id"], detail: $0["detail"]) }
            return (batches, notes)
        }
    }

    /// Where records of this agency went before, for many records at once: id → peer → digest of
    /// the version that peer has.
    public func routes(origin: Agency, recordIds: [String]) throws -> [String: [Agency: String]] {
        try database.read { db in
            var result: [String: [Agency: String]] = [:]
            var start = 0
            while start < recordIds.count {
                let slice = recordIds[start..<min(recordIds.count, start + 500)]
                start += slice.count
                let holes = Array(repeating: "?", count: slice.count).joined(separator: ",")
                for row in try Row.fetchAll(db, sql: "SELECT record_id, peer, content_sha256 FROM routed_record WHERE origin = ? AND record_id IN (\(holes))",
                                            arguments: StatementArguments([origin.rawValue] + Array(slice))) {
                    if let peer = Agency(rawValue: row["peer"]) { result[row["record_id"], default: [:]][peer] = row["content_sha256"] }
                }
            }
            return result
        }
    }
}
