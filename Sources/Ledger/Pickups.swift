import Exchange
import Formats
import Foundation
import GRDB
import Model

/// A batch made from a picked-up document, ready for the outbox.
public struct QueuedBatch: Sendable, Equatable {
    public var batchId: String
    public var peer: Agency
    public var recordType: RecordType
    public var body: [UInt8]
    public var form: ExchangeFormat.Form
    public var recordCount: Int
    /// The records in the batch, in order: (origin, id, version).
    public var records: [(origin: Agency, id: String, version: Int)] = []
    /// The batch this one resubmits.
    public var resubmissionOf: String?

    public static func == (a: QueuedBatch, b: QueuedBatch) -> Bool {
        a.batchId == b.batchId && a.peer == b.peer && a.recordType == b.recordType && a.body == b.body && a.form == b.form
            && a.recordCount == b.recordCount && a.resubmissionOf == b.resubmissionOf
            && a.records.map { "\($0.origin.rawValue)/\($0.id)/\($0.version)" } == b.records.map { "\($0.origin.rawValue)/\($0.id)/\($0.version)" }
    }

    public init(batchId: String, peer: Agency, recordType: RecordType, body: [UInt8], form: ExchangeFormat.Form, recordCount: Int) {
        self.batchId = batchId
        self.peer = peer
        self.recordType = recordType
        self.body = body
        self.form = form
        self.recordCount = recordCount
    }
}

/// One record version routed to one peer, in one batch.
public struct RoutedRecord: Sendable, Equatable {
    public var origin: Agency
    public var recordId: String
    public var peer: Agency
    public var recordType: RecordType
    public var version: Int
    public var contentSha256: String
    public var batchId: String
    /// What outflow statistics count it by (nil: unknown, as for a row read back).
    public var facts: RecordFacts?

    public init(origin: Agency, recordId: String, peer: Agency, recordType: RecordType, version: Int, contentSha256: String, batchId: String,
                facts: RecordFacts? = nil) {
        self.facts = facts
        self.origin = origin
        self.recordId = recordId
        self.peer = peer
        self.recordType = recordType
        self.version = version
        self.contentSha256 = contentSha256
        self.batchId = batchId
    }
}

/// What became of one picked-up document.
public struct PickupEntry: Sendable, Equatable {
    public enum Outcome: String, Sendable { case done, rejected }
    /// Where it came from: `vacancy/2026-11-22.xml`, or an export's URL with its cursor.
    public var source: String
    public var sha256: String
    public var recordType: RecordType
    public var outcome: Outcome
    public var records = 0
    public var queued = 0
    public var unchanged = 0
    public var notRouted = 0
    public var rejected = 0
    /// The report as written beside the document (JSON).
    public var report: String = "{}"
    /// The document as the agency exported it, and its format: what a resubmission rebuilds from.
    public var document: [UInt8]?
    public var format: String?

    public init(source: String, sha256: String, recordType: RecordType, outcome: Outcome) {
        self.source = source
        self.sha256 = sha256
        self.recordType = recordType
        self.outcome = outcome
    }
}

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
        let at = TimestampPattern.rfc3339.write(now), due = DueTime.string(now)
        return try database.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM pickup WHERE source = ? AND sha256 = ?", arguments: [entry.source, entry.sha256]) == nil else {
                return false
            }
            try db.execute(sql: """
                INSERT INTO pickup (source, sha256, record_type, picked_at, outcome, records, queued, unchanged, not_routed, rejected, report, document, format)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [entry.source, entry.sha256, entry.recordType.rawValue, at, entry.outcome.rawValue, entry.records, entry.queued,
                                 entry.unchanged, entry.notRouted, entry.rejected, entry.report,
                                 try entry.document.map { try PayloadSealing.seal($0, recordType: entry.recordType, key: payloadKey) }, entry.format])
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
                INSERT INTO batch (batch_id, direction, peer, record_type, body_sha256, state, body, body_form, next_attempt_at, created_at, updated_at,
                                   record_count, source, source_sha256, resubmission_of)
                VALUES (?, 'out', ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [batch.batchId, batch.peer.rawValue, batch.recordType.rawValue, sha256Hex(batch.body),
                                 try PayloadSealing.seal(batch.body, recordType: batch.recordType, key: key),
                                 batch.form.rawValue, due, at, at, batch.recordCount, source?.0, source?.1, batch.resubmissionOf])
            for (i, r) in batch.records.enumerated() {
                try record.execute(arguments: [batch.batchId, i, r.origin.rawValue, r.id, r.version])
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
            let facts = r.facts?.values ?? Array(repeating: nil, count: columns.count)
            try route.execute(arguments: StatementArguments([r.origin.rawValue, r.recordId, r.peer.rawValue, r.recordType.rawValue, r.version, r.contentSha256,
                                                             r.batchId, at, at] + facts))
        }
    }

    /// An export's position (`since`), if it was read before.
    public func pickupCursor(_ source: String) throws -> String? {
        try database.read { db in try String.fetchOne(db, sql: "SELECT cursor FROM pickup_cursor WHERE source = ?", arguments: [source]) }
    }

    /// Per peer and record type, what was sent and what the peers' receipts say became of it —
    /// from the batches delivered so far; batches still queued or failed are counted apart.
    public func sendingSummary() throws -> [SendingSummary] {
        try database.read { db in
            var result: [String: SendingSummary] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT peer, record_type, state, record_count, receipt, body_form FROM batch WHERE direction = 'out'") {
                let peer: String = row["peer"], type: String = row["record_type"], state: String = row["state"]
                let key = peer + "/" + type
                var s = result[key] ?? SendingSummary(peer: Agency(rawValue: peer)!, recordType: RecordType(rawValue: type) ?? .vacancy)
                s.batches += 1
                if let form = ExchangeFormat.Form(rawValue: row["body_form"] ?? "") { s.encodings.insert(form) }
                let count: Int = row["record_count"] ?? 0
                switch state {
                case "delivered":
                    s.sent += count
                    if let text: String = row["receipt"], let receipt = try? JSONDecoder().decode(Receipt.self, from: Data(text.utf8)) {
                        s.accepted += receipt.counts.accepted
                        s.duplicates += receipt.counts.duplicates
                        s.rejected += receipt.counts.rejected
                    }
                case "failed": s.failedRecords += count
                default: s.waitingRecords += count
                }
                result[key] = s
            }
            return result.values.sorted { ($0.peer.rawValue, $0.recordType.rawValue) < ($1.peer.rawValue, $1.recordType.rawValue) }
        }
    }
}

/// What went to one peer, of one record type.
public struct SendingSummary: Sendable, Equatable {
    public var peer: Agency
    public var recordType: RecordType
    public var batches = 0
    /// Records in delivered batches (as this gateway counted them when it made the batches), and
    /// what the peer's receipts said of them: the two add up when nothing is lost.
    public var sent = 0
    public var accepted = 0
    public var duplicates = 0
    public var rejected = 0
    /// Records in batches not yet delivered, or failed.
    public var waitingRecords = 0
    public var failedRecords = 0
    /// The encodings the batches were sent in.
    public var encodings: Set<ExchangeFormat.Form> = []

    public init(peer: Agency, recordType: RecordType) {
        self.peer = peer
        self.recordType = recordType
    }
}
