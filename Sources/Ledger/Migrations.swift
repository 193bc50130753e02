import GRDB

/// The store's schema, as an ordered list of named migrations. A migration, once released, never
/// changes: a change of schema is a new migration at the end.
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
        return migrator
    }
}
