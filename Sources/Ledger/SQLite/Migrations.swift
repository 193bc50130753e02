import GRDB

/// The SQLite store's schema, as an ordered list of named migrations. A migration, once released,
/// never changes: a change of schema is a new migration at the end, here and in
/// `PostgresMigrations` under the same name.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001-taxonomy-import") { db in
            try db.execute(sql: """
                CREATE TABLE taxonomy_import (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    imported_at TEXT NOT NULL,
                    has_v3 INTEGER NOT NULL,
                    v3_sources TEXT NOT NULL,
                    has_v4 INTEGER NOT NULL,
                    v4_sources TEXT NOT NULL
                );
                CREATE TABLE rome_v3_entry (code TEXT PRIMARY KEY, label TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE rome_v3_appellation (
                    ogr TEXT PRIMARY KEY, fiche TEXT NOT NULL REFERENCES rome_v3_entry(code), label TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE rome_v4_code (code TEXT PRIMARY KEY, parent TEXT NOT NULL, label TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE rome_v4_appellation (
                    ogr TEXT PRIMARY KEY, code_rome TEXT NOT NULL REFERENCES rome_v4_code(code), fiche TEXT NOT NULL, label TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("0002-exchange-ledger") { db in
            try db.execute(sql: """
                -- Every batch received or sent. A batch id names a batch for ever; the receipt is
                -- stored in the same transaction as the batch's records, before it is answered.
                CREATE TABLE batch (
                    batch_id TEXT NOT NULL,
                    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
                    peer TEXT NOT NULL,
                    record_type TEXT NOT NULL CHECK (record_type IN ('vacancy', 'trainee')),
                    body_sha256 TEXT NOT NULL,
                    state TEXT NOT NULL,
                    receipt TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    resubmission_of TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    -- A batch id names one batch each way: a peer's id cannot collide with ours.
                    PRIMARY KEY (batch_id, direction)
                );
                CREATE INDEX batch_by_peer ON batch (direction, peer, created_at);

                -- Every version of every record taken in, named by (origin, record id, version),
                -- with the digest of its content and the fields that statistics count by.
                CREATE TABLE record (
                    origin TEXT NOT NULL,
                    record_id TEXT NOT NULL,
                    version INTEGER NOT NULL CHECK (version >= 1),
                    record_type TEXT NOT NULL,
                    content_sha256 TEXT NOT NULL,
                    batch_id TEXT NOT NULL,
                    received_at TEXT NOT NULL,
                    fiche TEXT NOT NULL,
                    domain TEXT NOT NULL,
                    status TEXT NOT NULL,
                    region TEXT,
                    contract TEXT,
                    bottleneck INTEGER,
                    scheme TEXT,
                    scheme_native TEXT,
                    referring_agency TEXT,
                    event_date TEXT NOT NULL,
                    PRIMARY KEY (origin, record_id, version)
                ) WITHOUT ROWID;

                -- What became of each record of each batch received (accepted, duplicate, rejected and why).
                CREATE TABLE batch_record (
                    batch_id TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    record_id TEXT NOT NULL,
                    version INTEGER,
                    outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'duplicate', 'rejected')),
                    field TEXT,
                    code TEXT,
                    message TEXT,
                    PRIMARY KEY (batch_id, position)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("0003-received-bodies-and-delivery") { db in
            try db.execute(sql: """
                -- The body of each batch received, as received, so that its records can be delivered
                -- (again) to the back office after a crash, and the time they were.
                ALTER TABLE batch ADD COLUMN body BLOB;
                ALTER TABLE batch ADD COLUMN body_form TEXT;
                ALTER TABLE batch ADD COLUMN delivered_at TEXT;
                ALTER TABLE batch ADD COLUMN delivered_to TEXT;
                CREATE INDEX batch_undelivered ON batch (direction, delivered_at);
                """)
        }
        migrator.registerMigration("0004-outbox") { db in
            try db.execute(sql: """
                -- Sending: a batch is written here first (state queued) and only then sent, so that a
                -- crash loses nothing and a retry reuses the same id and body.
                ALTER TABLE batch ADD COLUMN next_attempt_at TEXT;
                ALTER TABLE batch ADD COLUMN first_attempt_at TEXT;
                ALTER TABLE batch ADD COLUMN last_answer TEXT;
                CREATE INDEX batch_due ON batch (direction, state, next_attempt_at);
                -- The operators' pause switch, per peer.
                CREATE TABLE peer_state (peer TEXT PRIMARY KEY, paused INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("0005-pickup-and-routing") { db in
            try db.execute(sql: """
                -- Each document picked up from the agency's export, by where it came from and its
                -- digest, written in the same transaction as the batches made of it: a document
                -- found again after a crash is recognised and never sent twice.
                CREATE TABLE pickup (
                    source TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    record_type TEXT NOT NULL,
                    picked_at TEXT NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome IN ('done', 'rejected')),
                    records INTEGER NOT NULL,
                    queued INTEGER NOT NULL,
                    unchanged INTEGER NOT NULL,
                    not_routed INTEGER NOT NULL,
                    rejected INTEGER NOT NULL,
                    report TEXT NOT NULL,
                    PRIMARY KEY (source, sha256)
                ) WITHOUT ROWID;
                -- Where each record of this agency went last, and in which version: updates and
                -- closures follow a record to every peer that had it, and an unchanged record is
                -- not sent again.
                CREATE TABLE routed_record (
                    origin TEXT NOT NULL,
                    record_id TEXT NOT NULL,
                    peer TEXT NOT NULL,
                    record_type TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    content_sha256 TEXT NOT NULL,
                    batch_id TEXT NOT NULL,
                    routed_at TEXT NOT NULL,
                    PRIMARY KEY (origin, record_id, peer)
                ) WITHOUT ROWID;
                -- The position reached in an HTTP export (its `since` cursor), per export.
                CREATE TABLE pickup_cursor (source TEXT PRIMARY KEY, cursor TEXT NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID;
                -- How many records a batch holds, either way.
                ALTER TABLE batch ADD COLUMN record_count INTEGER;
                """)
        }
        migrator.registerMigration("0006-operations") { db in
            try db.execute(sql: """
                -- The original regional document of each pick-up (what resubmission rebuilds from),
                -- and, for each batch sent, the document it was made of and its records.
                ALTER TABLE pickup ADD COLUMN document BLOB;
                ALTER TABLE pickup ADD COLUMN format TEXT;
                ALTER TABLE batch ADD COLUMN source TEXT;
                ALTER TABLE batch ADD COLUMN source_sha256 TEXT;
                CREATE TABLE outgoing_record (
                    batch_id TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    origin TEXT NOT NULL,
                    record_id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    PRIMARY KEY (batch_id, position)
                ) WITHOUT ROWID;
                CREATE INDEX outgoing_record_by_record ON outgoing_record (origin, record_id);
                CREATE INDEX batch_by_resubmission ON batch (resubmission_of);
                -- Every attempt to send a batch, with what the peer answered.
                CREATE TABLE attempt (
                    batch_id TEXT NOT NULL,
                    attempt INTEGER NOT NULL,
                    at TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    answer TEXT NOT NULL,
                    PRIMARY KEY (batch_id, attempt)
                ) WITHOUT ROWID;
                -- Every operator action: who, what, when, why.
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY,
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    reason TEXT,
                    detail TEXT
                );
                """)
        }
        migrator.registerMigration("0007-retention") { db in
            try db.execute(sql: """
                -- When a reconcile found a sent batch in the peer's manifest with the same body, and
                -- when a payload was removed by retention (the metadata stays).
                ALTER TABLE batch ADD COLUMN confirmed_at TEXT;
                ALTER TABLE batch ADD COLUMN payload_pruned_at TEXT;
                ALTER TABLE pickup ADD COLUMN payload_pruned_at TEXT;
                """)
        }
        migrator.registerMigration("0008-statistics") { db in
            try db.execute(sql: """
                -- What trainee statistics count by, without keeping the person: gender and age band
                -- (under 25, 25-29, 30-49, 50+ at the start of training).
                ALTER TABLE record ADD COLUMN gender TEXT;
                ALTER TABLE record ADD COLUMN age_band TEXT;
                CREATE INDEX record_by_type_time ON record (record_type, received_at);
                """)
        }
        migrator.registerMigration("0009-statistics-by-record") { db in
            try db.execute(sql: """
                -- One row per distinct record received: the time it was first received (the period
                -- the default statistics count it in, once) and the facts of its latest version.
                -- Kept in the receive transaction.
                CREATE TABLE received_record (
                    origin TEXT NOT NULL,
                    record_id TEXT NOT NULL,
                    record_type TEXT NOT NULL,
                    first_received_at TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    fiche TEXT NOT NULL,
                    domain TEXT NOT NULL,
                    status TEXT NOT NULL,
                    region TEXT,
                    contract TEXT,
                    bottleneck INTEGER,
                    scheme TEXT,
                    scheme_native TEXT,
                    referring_agency TEXT,
                    gender TEXT,
                    age_band TEXT,
                    PRIMARY KEY (origin, record_id)
                ) WITHOUT ROWID;
                CREATE INDEX received_record_by_time ON received_record (record_type, first_received_at);
                -- Per month and flow (the record's origin, or a trainee's referring agency; and the
                -- agency that sent it), the distinct records first received and the messages: what
                -- the common questions read instead of the rows (a year's trainee matrix, vacancies
                -- by month and pair). Kept in the receive transaction.
                CREATE TABLE flow_month (
                    record_type TEXT NOT NULL,
                    month TEXT NOT NULL,
                    origin TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    records INTEGER NOT NULL,
                    messages INTEGER NOT NULL,
                    PRIMARY KEY (record_type, month, origin, sender)
                ) WITHOUT ROWID;

                -- What was sent, for outflow statistics: the facts of the latest version routed to
                -- each peer, and when the record first went there.
                ALTER TABLE routed_record ADD COLUMN first_routed_at TEXT;
                \(RecordFacts.columns0009.map { "ALTER TABLE routed_record ADD COLUMN \($0) \($0 == "bottleneck" ? "INTEGER" : "TEXT");" }.joined(separator: "\n"))
                UPDATE routed_record SET first_routed_at = routed_at;
                """)
            try SQLiteStore.rebuildStatistics(db, columns: RecordFacts.columns0009)
        }
        migrator.registerMigration("0010-pickup-in-parts") { db in
            try db.execute(sql: """
                -- A large document is picked up in parts, each committed with its batches: `position`
                -- is how many of its records are routed and queued; `complete` is 0 until the last
                -- part, so that a pass cut short resumes after `position`.
                ALTER TABLE pickup ADD COLUMN complete INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE pickup ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
                -- The document as the agency exported it, in parts of at most 1 MiB (what a
                -- resubmission rebuilds from), instead of pickup.document.
                CREATE TABLE pickup_document (
                    source TEXT NOT NULL, sha256 TEXT NOT NULL, part INTEGER NOT NULL, bytes BLOB NOT NULL,
                    PRIMARY KEY (source, sha256, part)
                ) WITHOUT ROWID;
                -- The records of a document that were rejected or routed nowhere, for its report.
                CREATE TABLE pickup_note (
                    source TEXT NOT NULL, sha256 TEXT NOT NULL, seq INTEGER NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('rejected', 'notRouted')),
                    record_index INTEGER, record_id TEXT NOT NULL, detail TEXT NOT NULL,
                    PRIMARY KEY (source, sha256, seq)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("0011-person-pseudonyms") { db in
            try db.execute(sql: """
                -- A trainee's keyed pseudonym (HMAC of the national number under a key derived from
                -- the payload key): statistics count persons without the ledger holding who they are.
                ALTER TABLE record ADD COLUMN person_key TEXT;
                ALTER TABLE received_record ADD COLUMN person_key TEXT;
                ALTER TABLE routed_record ADD COLUMN person_key TEXT;
                """)
        }
        migrator.registerMigration("0012-replica-leases") { db in
            try db.execute(sql: LedgerSchema.leases)
        }
        migrator.registerMigration("0013-batch-bodies-apart") { db in
            for statement in LedgerSchema.bodiesApart(blob: "BLOB") { try db.execute(sql: statement) }
        }
        migrator.registerMigration("0014-delivery-losses") { db in
            for statement in LedgerSchema.deliveryLosses(.sqlite) { try db.execute(sql: statement) }
        }
        migrator.registerMigration("0015-superseded-notes") { db in
            for statement in LedgerSchema.supersededNotes(.sqlite) { try db.execute(sql: statement) }
        }
        migrator.registerMigration("0016-batch-ids-per-sender") { db in
            try remakeBatchTable(db) { $0.replacingOccurrences(of: "PRIMARY KEY (batch_id, direction)", with: "PRIMARY KEY (batch_id, direction, peer)") }
            for statement in LedgerSchema.batchIdsPerSender(.sqlite) { try db.execute(sql: statement) }
        }
        return migrator
    }

    /// Makes `batch` again from its own schema text changed by `change` (SQLite's way to change a
    /// table's primary key): a new table, its rows copied, the old one dropped, the new one
    /// renamed, and the old one's indexes made again on it.
    private static func remakeBatchTable(_ db: Database, change: (String) -> String) throws {
        guard let schema = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'batch'") else {
            throw LedgerError("the ledger has no batch table to change")
        }
        let changed = change(schema)
        guard changed != schema, let name = changed.range(of: "batch") else { throw LedgerError("the batch table's schema is not the one this migration changes") }
        let indexes = try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'batch' AND sql IS NOT NULL")
        try db.execute(sql: changed.replacingCharacters(in: name, with: "batch_remade"))
        try db.execute(sql: "INSERT INTO batch_remade SELECT * FROM batch ORDER BY rowid")   // rowid: the order batches were written
        try db.execute(sql: "DROP TABLE batch")
        try db.execute(sql: "ALTER TABLE batch_remade RENAME TO batch")
        for index in indexes { try db.execute(sql: index) }
    }
}
