/// Schema text that both stores run as it is.
enum LedgerSchema {
    /// Migration 0012: replicas. A batch being sent, or a received batch being handed to the back
    /// office, is claimed by one gateway process until `lease_until` (see `Lease`); a process that
    /// dies leaves a claim that runs out and is taken over. Each attempt names the process that
    /// made it, and each batch received the process that stored it.
    static let leases = """
        ALTER TABLE batch ADD COLUMN lease_owner TEXT;
        ALTER TABLE batch ADD COLUMN lease_until TEXT;
        ALTER TABLE batch ADD COLUMN received_by TEXT;
        ALTER TABLE attempt ADD COLUMN replica TEXT;
        """

    /// Migration 0013: a batch's body in a table of its own. SQLite keeps a large value in its row,
    /// as a chain of overflow pages that must be walked to read any column stored after it: with
    /// the body in `batch`, every look at a batch's state, lease or due time read its whole body
    /// (the outbox's claim read every sent body again for each batch it took: 38 GB of reads for a
    /// year's 104 batches of 7 MB). `blob` is the dialect's type for bytes.
    static func bodiesApart(text: String = "TEXT", blob: String) -> [String] {
        [
            """
            CREATE TABLE batch_body (
                batch_id \(text) NOT NULL, direction \(text) NOT NULL, body \(blob) NOT NULL,
                PRIMARY KEY (batch_id, direction))
            """,
            "INSERT INTO batch_body (batch_id, direction, body) SELECT batch_id, direction, body FROM batch WHERE body IS NOT NULL",
            "ALTER TABLE batch DROP COLUMN body",
        ]
    }

    /// Migration 0014: what the back office's format lost of each record of a batch delivered to it
    /// (`batch.delivery_losses`, JSON `[{index, recordId, losses}]`, for the batch's view); and
    /// pick-up notes of a third kind, `lost`: what reading a record could not carry. The note
    /// kinds' check is made again with `lost` (SQLite changes a check only by making the table again).
    static func deliveryLosses(_ dialect: SQLDialect, text: String = "TEXT") -> [String] {
        ["ALTER TABLE batch ADD COLUMN delivery_losses \(dialect == .sqlite ? "TEXT" : text)"]
            + noteKinds(["rejected", "notRouted", "lost"], migration: "0014", dialect)
    }

    /// Migration 0015: pick-up notes of a fourth kind, `superseded`: a version of a record that the
    /// same document holds in a higher version, not sent (clarification 5 of the protocol).
    static func supersededNotes(_ dialect: SQLDialect) -> [String] {
        noteKinds(["rejected", "notRouted", "lost", "superseded"], migration: "0015", dialect)
    }

    /// Migration 0016: batch ids scoped per sender. A received batch is named by its id *and* its
    /// sender, so that a peer posting under another peer's batch id stores a batch of its own
    /// rather than learning, by a 409, that the id exists (the protocol's `batchId` is the sender's
    /// choice). The received batches' records and bodies carry the sender too. SQLite changes a
    /// primary key only by making the table again: `batch`'s is remade from its own schema text
    /// (`SQLiteStore`'s migration), the two others here.
    static func batchIdsPerSender(_ dialect: SQLDialect, text: String = "TEXT") -> [String] {
        switch dialect {
        case .sqlite:
            return [
                """
                CREATE TABLE batch_record_0016 (
                    batch_id TEXT NOT NULL, peer TEXT NOT NULL, position INTEGER NOT NULL, record_id TEXT NOT NULL, version INTEGER,
                    outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'duplicate', 'rejected')), field TEXT, code TEXT, message TEXT,
                    PRIMARY KEY (batch_id, peer, position)
                ) WITHOUT ROWID
                """,
                """
                INSERT INTO batch_record_0016 SELECT br.batch_id, b.peer, br.position, br.record_id, br.version, br.outcome, br.field, br.code, br.message
                FROM batch_record br JOIN batch b ON b.batch_id = br.batch_id AND b.direction = 'in'
                """,
                "DROP TABLE batch_record",
                "ALTER TABLE batch_record_0016 RENAME TO batch_record",
                """
                CREATE TABLE batch_body_0016 (
                    batch_id TEXT NOT NULL, direction TEXT NOT NULL, peer TEXT NOT NULL, body BLOB NOT NULL,
                    PRIMARY KEY (batch_id, direction, peer))
                """,
                """
                INSERT INTO batch_body_0016 SELECT p.batch_id, p.direction, b.peer, p.body
                FROM batch_body p JOIN batch b ON b.batch_id = p.batch_id AND b.direction = p.direction
                """,
                "DROP TABLE batch_body",
                "ALTER TABLE batch_body_0016 RENAME TO batch_body",
            ]
        case .postgres:
            return [
                "ALTER TABLE batch DROP CONSTRAINT batch_pkey, ADD PRIMARY KEY (batch_id, direction, peer)",
                "ALTER TABLE batch_record ADD COLUMN peer \(text)",
                "UPDATE batch_record br SET peer = b.peer FROM batch b WHERE b.batch_id = br.batch_id AND b.direction = 'in'",
                "ALTER TABLE batch_record ALTER COLUMN peer SET NOT NULL, DROP CONSTRAINT batch_record_pkey, ADD PRIMARY KEY (batch_id, peer, position)",
                "ALTER TABLE batch_body ADD COLUMN peer \(text)",
                "UPDATE batch_body p SET peer = b.peer FROM batch b WHERE b.batch_id = p.batch_id AND b.direction = p.direction",
                "ALTER TABLE batch_body ALTER COLUMN peer SET NOT NULL, DROP CONSTRAINT batch_body_pkey, ADD PRIMARY KEY (batch_id, direction, peer)",
            ]
        }
    }

    /// The pick-up note kinds' check made again with `kinds` (SQLite changes a check only by making
    /// the table again).
    private static func noteKinds(_ kinds: [String], migration: String, _ dialect: SQLDialect) -> [String] {
        let check = "CHECK (kind IN (\(kinds.map { "'\($0)'" }.joined(separator: ", "))))"
        switch dialect {
        case .sqlite:
            return [
                """
                CREATE TABLE pickup_note_\(migration) (
                    source TEXT NOT NULL, sha256 TEXT NOT NULL, seq INTEGER NOT NULL,
                    kind TEXT NOT NULL \(check),
                    record_index INTEGER, record_id TEXT NOT NULL, detail TEXT NOT NULL,
                    PRIMARY KEY (source, sha256, seq)
                ) WITHOUT ROWID
                """,
                "INSERT INTO pickup_note_\(migration) SELECT source, sha256, seq, kind, record_index, record_id, detail FROM pickup_note",
                "DROP TABLE pickup_note",
                "ALTER TABLE pickup_note_\(migration) RENAME TO pickup_note",
            ]
        case .postgres:
            return [
                "ALTER TABLE pickup_note DROP CONSTRAINT pickup_note_kind_check",
                "ALTER TABLE pickup_note ADD CONSTRAINT pickup_note_kind_check \(check)",
            ]
        }
    }

    /// The statements that make `received_record` and `flow_month` again from the record rows and
    /// the batches' outcomes: what the receive transaction keeps one batch at a time, all at once
    /// (migration 0009, which introduced them, and the statistics benchmark's ledger).
    /// Before migration 0016 (`columns0009`) a received batch's records carried no sender: they are
    /// found by the batch id alone.
    static func rebuildStatistics(columns: [String] = RecordFacts.columns) -> [String] {
        let ofSender = columns == RecordFacts.columns0009 ? "" : " AND b.peer = br.peer"
        let facts = columns.joined(separator: ", ")
        return [
            "DELETE FROM received_record",
            "DELETE FROM flow_month",
            """
            INSERT INTO received_record (origin, record_id, record_type, first_received_at, version, \(facts))
            SELECT r.origin, r.record_id, r.record_type, f.first, r.version, \(columns.map { "r.\($0)" }.joined(separator: ", "))
            FROM record r JOIN (SELECT origin, record_id, MIN(received_at) AS first, MAX(version) AS latest FROM record GROUP BY origin, record_id) f
              ON f.origin = r.origin AND f.record_id = r.record_id AND f.latest = r.version
            """,
            """
            INSERT INTO flow_month (record_type, month, origin, sender, records, messages)
            SELECT record_type, month, flow_origin, sender, SUM(records), SUM(messages) FROM (
                SELECT record_type, substr(first_received_at, 1, 7) AS month, coalesce(referring_agency, origin) AS flow_origin, origin AS sender,
                       1 AS records, 0 AS messages FROM received_record
                UNION ALL
                SELECT r.record_type, substr(r.received_at, 1, 7), coalesce(r.referring_agency, r.origin), r.origin, 0, 1
                FROM batch_record br JOIN batch b ON b.batch_id = br.batch_id AND b.direction = 'in'\(ofSender)
                JOIN record r ON r.origin = b.peer AND r.record_id = br.record_id AND r.version = br.version
                WHERE br.outcome IN ('accepted', 'duplicate')) t
            GROUP BY record_type, month, flow_origin, sender
            """,
        ]
    }

    /// Retention's statements, in order, the first two taking (pruned at, created before): the
    /// batches nothing needs the bodies of any more, marked, and then their bodies; the documents
    /// whose every batch is delivered, confirmed and (if a peer rejected records) resubmitted, and
    /// the parts of those documents.
    static func prune(_ dialect: SQLDialect) -> (batches: String, bodies: String, documents: String, parts: String) {
        ("""
         UPDATE batch SET payload_pruned_at = ?
         WHERE EXISTS (SELECT 1 FROM batch_body p WHERE p.batch_id = batch.batch_id AND p.direction = batch.direction AND p.peer = batch.peer)
           AND created_at < ?
           AND ((direction = 'in' AND delivered_at IS NOT NULL) OR (direction = 'out' AND state = 'delivered' AND confirmed_at IS NOT NULL))
         """,
         """
         DELETE FROM batch_body WHERE EXISTS (
             SELECT 1 FROM batch b WHERE b.batch_id = batch_body.batch_id AND b.direction = batch_body.direction AND b.peer = batch_body.peer
               AND b.payload_pruned_at IS NOT NULL)
         """,
         """
         UPDATE pickup SET document = NULL, payload_pruned_at = ?
         WHERE (document IS NOT NULL OR EXISTS (SELECT 1 FROM pickup_document d WHERE d.source = pickup.source AND d.sha256 = pickup.sha256))
           AND picked_at < ? AND complete = 1
           AND NOT EXISTS (
             SELECT 1 FROM batch b WHERE b.direction = 'out' AND b.source = pickup.source AND b.source_sha256 = pickup.sha256
               AND (b.state <> 'delivered' OR b.confirmed_at IS NULL
                    OR (\(dialect.jsonNumber("b.receipt", "counts", "rejected")) > 0
                        AND NOT EXISTS (SELECT 1 FROM batch r WHERE r.resubmission_of = b.batch_id AND r.direction = 'out'))))
         """,
         """
         DELETE FROM pickup_document WHERE EXISTS (
             SELECT 1 FROM pickup p WHERE p.source = pickup_document.source AND p.sha256 = pickup_document.sha256 AND p.payload_pruned_at IS NOT NULL)
         """)
    }

    /// Where sealed payloads rest, for `resealPayloads`: each place's keys (as text, `k1`, `k2`,
    /// `k3`), one payload by them, and its update (the payload, then the keys).
    static let sealedPlaces: [SealedPlace] = [
        SealedPlace(name: "batch bodies",
                    keys: "SELECT batch_id AS k1, direction AS k2, peer AS k3 FROM batch_body ORDER BY batch_id, direction, peer",
                    read: "SELECT body AS payload FROM batch_body WHERE batch_id = ? AND direction = ? AND peer = ?",
                    write: "UPDATE batch_body SET body = ? WHERE batch_id = ? AND direction = ? AND peer = ?",
                    place: { .batch(id: $0[0], direction: BatchDirection(rawValue: $0[1]) ?? .sent) }),   // the column holds in or out (its CHECK)
        SealedPlace(name: "documents picked up whole",
                    keys: "SELECT source AS k1, sha256 AS k2 FROM pickup WHERE document IS NOT NULL ORDER BY source, sha256",
                    read: "SELECT document AS payload FROM pickup WHERE source = ? AND sha256 = ?",
                    write: "UPDATE pickup SET document = ? WHERE source = ? AND sha256 = ?",
                    place: { .document(source: $0[0], sha256: $0[1]) }),
        SealedPlace(name: "parts of documents picked up",
                    keys: "SELECT source AS k1, sha256 AS k2, CAST(part AS TEXT) AS k3 FROM pickup_document ORDER BY source, sha256, part",
                    read: "SELECT bytes AS payload FROM pickup_document WHERE source = ? AND sha256 = ? AND part = CAST(? AS INTEGER)",
                    write: "UPDATE pickup_document SET bytes = ? WHERE source = ? AND sha256 = ? AND part = CAST(? AS INTEGER)",
                    place: { .documentPart(source: $0[0], sha256: $0[1], part: Int($0[2]) ?? -1) }),
    ]
}

/// A table that holds sealed payloads, as `LedgerSchema.sealedPlaces` names it.
struct SealedPlace: Sendable {
    var name: String
    var keys: String
    var read: String
    var write: String
    /// What a payload's seal is bound to, from its keys.
    var place: @Sendable ([String]) -> PayloadPlace
}

/// What `resealPayloads` did: the payloads it sealed again under the payload key in force, and
/// those it found already under it or not sealed (vacancies).
public struct ResealReport: Sendable, Equatable, Codable {
    public var resealed = 0
    public var unchanged = 0
    public init(resealed: Int = 0, unchanged: Int = 0) {
        self.resealed = resealed
        self.unchanged = unchanged
    }

    /// One payload counted: resealed when `PayloadSealing.reseal` gave new bytes, else unchanged.
    mutating func count(resealed: Bool) {
        if resealed { self.resealed += 1 } else { unchanged += 1 }
    }

    static func += (left: inout ResealReport, right: ResealReport) {
        left.resealed += right.resealed
        left.unchanged += right.unchanged
    }

    /// The keys of one sealed place in the chunks that a reseal writes one transaction each.
    static func chunks<Key>(_ keys: [Key], of size: Int) -> [ArraySlice<Key>] {
        stride(from: 0, to: keys.count, by: max(1, size)).map { keys[$0..<min(keys.count, $0 + max(1, size))] }
    }
}
