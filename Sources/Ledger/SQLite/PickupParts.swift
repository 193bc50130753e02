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
    public func pickupPosition(source: String, sha256: String) async throws -> PickupPosition? {
        try await database.read { db in
            try db.row(PickupSQL.pickup(source: source, sha256: sha256, complete: false)).map { row in
                var entry = try PickupEntry(row: row, report: false)
                entry.outcome = .done
                return PickupPosition(position: try row.int("position"), counts: entry)
            }
        }
    }

    /// Starts the pick-up of a document: its row (incomplete, at position 0) and the document itself,
    /// read from `path` in parts (sealed if they are trainee records and a payload key is set).
    public func beginPickup(_ entry: PickupEntry, documentAt path: String, now: Date = Date()) async throws {
        let handle: FileHandle
        do { handle = try RegularFile.open(path) } catch let fault as FileFault { throw LedgerError(fault.description) }
        defer { try? handle.close() }
        let at = Instant.text(now)
        try await database.write { db in
            try db.change(PickupSQL.begin(entry, at: at))
            var part = 0
            while let data = try handle.read(upToCount: PickupEntry.documentPartBytes), !data.isEmpty {
                let sealed = Data(try PayloadSealing.seal([UInt8](data), recordType: entry.recordType, key: payloadKey, at: .documentPart(source: entry.source, sha256: entry.sha256, part: part)))
                try db.change(PickupSQL.insertPart(source: entry.source, sha256: entry.sha256, part: part, bytes: sealed))
                part += 1
            }
        }
    }

    /// Commits one part: its batches (queued, due now), where its records went, its notes, and the
    /// counts and position reached. With `final`, the document is complete, with its report and
    /// outcome (and an export's new cursor).
    public func commitPickupPart(source: String, sha256: String, position: Int, counts: PickupEntry, batches: [QueuedBatch], routed: [RoutedRecord],
                                 notes: [PickupNote], final: (outcome: PickupEntry.Outcome, report: String)? = nil, now: Date = Date()) async throws {
        let at = Instant.text(now), due = DueTime.string(now)
        let key = payloadKey
        try await database.write { db in
            // The pick-up's row first, as on PostgreSQL: a part is committed once.
            guard try db.change(PickupSQL.commitPart(source: source, sha256: sha256, position: position, counts: counts, final: final)) == 1 else {
                throw LedgerError("the pick-up of \(source) is not under way: it cannot take a part")
            }
            try Self.insert(batches, source: (source, sha256), in: db, at: at, due: due, key: key)
            try Self.route(routed, in: db, at: at)
            var seq = try db.row(PickupSQL.lastNote(source: source, sha256: sha256))?.int("seq") ?? 0
            let note = try db.cachedStatement(sql: """
                INSERT INTO pickup_note (source, sha256, seq, kind, record_index, record_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for n in notes {
                seq += 1
                try note.run(in: db) { b in
                    b.text(source); b.text(sha256); b.int(seq); b.text(n.kind.rawValue); b.int(n.index); b.text(n.recordId); b.text(n.detail)
                }
            }
        }
    }

    /// The batches made of a document so far, in the order they were made, and the notes on its records.
    public func pickupContents(source: String, sha256: String) async throws -> PickupContents {
        try await database.read { db in
            let batches = try db.rows(PickupSQL.batches(source: source, sha256: sha256))
                .map(PickupContents.Batch.init(row:))
            let notes = try db.rows(PickupSQL.notes(source: source, sha256: sha256)).map(PickupNote.init(row:))
            return PickupContents(batches: batches, notes: notes)
        }
    }

    /// Where records of this agency went before, for many records at once: id → peer → digest of
    /// the version that peer has.
    public func routes(origin: Agency, recordIds: [String]) async throws -> [String: [Agency: String]] {
        try await database.read { db in
            var result: [String: [Agency: String]] = [:]
            var start = 0
            while start < recordIds.count {
                let slice = Array(recordIds[start..<min(recordIds.count, start + PickupSQL.chunk(.sqlite))])
                start += slice.count
                for row in try db.rows(PickupSQL.routes(origin: origin, recordIds: slice)) {
                    if let peer = Agency(rawValue: try row.string("peer")) { result[try row.string("record_id"), default: [:]][peer] = try row.string("content_sha256") }
                }
            }
            return result
        }
    }
}
