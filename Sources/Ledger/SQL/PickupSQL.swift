import ExchangeProtocol
import Foundation
import Model

/// Pick-up's statements, as both stores run them. Two writes differ, each where it is hot: the
/// records of new batches, their routing and a part's notes go through one prepared statement per
/// row on SQLite (`Pickups.swift`) and one set-wise `json_to_recordset` statement on PostgreSQL
/// (`PostgresPickups.swift`), which would otherwise pay a round trip per row.
enum PickupSQL {
    /// A document's entry: complete (`complete: true`), or a pick-up in parts under way.
    static func pickup(source: String, sha256: String, complete: Bool) -> LedgerSQL {
        "SELECT * FROM pickup WHERE source = \(source) AND sha256 = \(sha256) AND complete = \(complete ? 1 : 0)"
    }

    /// Where records went, for up to `chunk(_:)` ids at once.
    static func routes(origin: Agency, recordIds: [String]) -> LedgerSQL {
        "SELECT record_id, peer, content_sha256 FROM routed_record WHERE origin = \(origin.rawValue) AND record_id \(isIn: recordIds)"
    }

    /// How many ids one `routes` statement takes: SQLite binds each (its limit on variables),
    /// PostgreSQL one array.
    static func chunk(_ dialect: SQLDialect) -> Int { dialect == .sqlite ? 500 : 50_000 }

    /// The document's entry; no row (0 changed) if the same document was recorded before, by this
    /// process or another replica.
    static func insert(_ entry: PickupEntry, document: Data?, at: String) -> LedgerSQL {
        """
        INSERT INTO pickup (source, sha256, record_type, picked_at, outcome, records, queued, unchanged, not_routed, rejected, report, document, format)
        VALUES (\(entry.source), \(entry.sha256), \(entry.recordType.rawValue), \(at), \(entry.outcome.rawValue), \(entry.records), \(entry.queued),
                \(entry.unchanged), \(entry.notRouted), \(entry.rejected), \(entry.report), \(document), \(entry.format))
        ON CONFLICT (source, sha256) DO NOTHING RETURNING 1
        """
    }

    static func setCursor(source: String, value: String, at: String) -> LedgerSQL {
        """
        INSERT INTO pickup_cursor (source, cursor, updated_at) VALUES (\(source), \(value), \(at))
        ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
        """
    }

    static func cursor(_ source: String) -> LedgerSQL { "SELECT cursor FROM pickup_cursor WHERE source = \(source)" }

    static let routedRecords: LedgerSQL = "SELECT * FROM routed_record ORDER BY origin, record_id, peer"

    static func latestReceived(origin: Agency, recordId: String) -> LedgerSQL {
        "SELECT version, status FROM record WHERE origin = \(origin.rawValue) AND record_id = \(recordId) ORDER BY version DESC LIMIT 1"
    }

    static let sendingSummary: LedgerSQL = "SELECT peer, record_type, state, record_count, receipt, body_form FROM batch WHERE direction = 'out'"

    static func begin(_ entry: PickupEntry, at: String) -> LedgerSQL {
        """
        INSERT INTO pickup (source, sha256, record_type, picked_at, outcome, records, queued, unchanged, not_routed, rejected, report, format,
                            complete, position)
        VALUES (\(entry.source), \(entry.sha256), \(entry.recordType.rawValue), \(at), 'done', 0, 0, 0, 0, 0, '{}', \(entry.format), 0, 0)
        """
    }

    static func insertPart(source: String, sha256: String, part: Int, bytes: Data) -> LedgerSQL {
        "INSERT INTO pickup_document (source, sha256, part, bytes) VALUES (\(source), \(sha256), \(part), \(bytes))"
    }

    /// A part's counts and position (1 row changed, or the pick-up is not under way).
    static func commitPart(source: String, sha256: String, position: Int, counts: PickupEntry, final: (outcome: PickupEntry.Outcome, report: String)?) -> LedgerSQL {
        """
        UPDATE pickup SET position = \(position), records = \(counts.records), queued = \(counts.queued), unchanged = \(counts.unchanged),
            not_routed = \(counts.notRouted), rejected = \(counts.rejected), complete = \(final == nil ? 0 : 1), outcome = \((final?.outcome ?? .done).rawValue),
            report = coalesce(\(final?.report), report)
        WHERE source = \(source) AND sha256 = \(sha256) AND complete = 0 RETURNING 1
        """
    }

    static func lastNote(source: String, sha256: String) -> LedgerSQL {
        "SELECT coalesce(MAX(seq), 0) AS seq FROM pickup_note WHERE source = \(source) AND sha256 = \(sha256)"
    }

    static func batches(source: String, sha256: String) -> LedgerSQL {
        """
        SELECT batch_id, peer, record_count, body_form FROM batch WHERE direction = 'out' AND source = \(source) AND source_sha256 = \(sha256)
        ORDER BY \(.writeOrder("batch"))
        """
    }

    static func notes(source: String, sha256: String) -> LedgerSQL {
        "SELECT * FROM pickup_note WHERE source = \(source) AND sha256 = \(sha256) ORDER BY seq"
    }

    /// A batch made of a document (or resubmitting one), queued and due now.
    static func insertBatch(_ batch: QueuedBatch, source: (String, String)?, due: String, at: String) -> LedgerSQL {
        """
        INSERT INTO batch (batch_id, direction, peer, record_type, body_sha256, state, body_form, next_attempt_at, created_at, updated_at,
                           record_count, source, source_sha256, resubmission_of)
        VALUES (\(batch.batchId), 'out', \(batch.peer.rawValue), \(batch.recordType.rawValue), \(sha256Hex(batch.body)), 'queued',
                \(batch.form.rawValue), \(due), \(at), \(at), \(batch.recordCount), \(source?.0), \(source?.1), \(batch.resubmissionOf))
        """
    }
}

extension PickupEntry {
    /// A `pickup` row's entry and counts (its report only when `report`).
    init(row: some LedgerRow, report: Bool) throws {
        self.init(source: try row.string("source"), sha256: try row.string("sha256"), recordType: RecordType(rawValue: try row.string("record_type")) ?? .vacancy,
                  outcome: PickupEntry.Outcome(rawValue: try row.string("outcome")) ?? .done)
        (records, queued, unchanged, notRouted, rejected) =
            (try row.int("records"), try row.int("queued"), try row.int("unchanged"), try row.int("not_routed"), try row.int("rejected"))
        format = try row.optionalString("format")
        if report { self.report = try row.string("report") }
    }
}

extension RoutedRecord {
    init?(row: some LedgerRow) throws {
        guard let origin = Agency(rawValue: try row.string("origin")), let peer = Agency(rawValue: try row.string("peer")),
              let type = RecordType(rawValue: try row.string("record_type")) else { return nil }
        self.init(origin: origin, recordId: try row.string("record_id"), peer: peer, recordType: type, version: try row.int("version"),
                  contentSha256: try row.string("content_sha256"), batchId: try row.string("batch_id"))
    }
}

extension SendingSummary.Row {
    init(row: some LedgerRow) throws {
        self.init(peer: try row.string("peer"), recordType: try row.string("record_type"), state: try row.code("state"),
                  recordCount: try row.optionalInt("record_count"), receipt: try row.optionalString("receipt"), form: try row.optionalString("body_form"))
    }
}

extension PickupNote {
    init(row: some LedgerRow) throws {
        self.init(kind: PickupNote.Kind(rawValue: try row.string("kind")) ?? .notRouted, index: try row.optionalInt("record_index"),
                  recordId: try row.string("record_id"), detail: try row.string("detail"))
    }
}
