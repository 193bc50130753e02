import Foundation
import GRDB

extension SQLiteStore {
    /// Makes `received_record` and `flow_month` again from the record rows (`LedgerSchema.rebuildStatistics`).
    static func rebuildStatistics(_ db: Database, columns: [String] = RecordFacts.columns) throws {
        for statement in LedgerSchema.rebuildStatistics(columns: columns) { try db.execute(sql: statement) }
    }

    /// Fills an empty ledger with `rows` generated record versions received over `years` years from
    /// `firstYear`, in batches of 1,000 from four peers (every fifth row a second version of the row
    /// before; one row in ten a trainee record), then makes the statistics tables from them: the
    /// statistics benchmark's ledger. Written by SQL alone, which is far faster than receiving.
    public func fillForBenchmark(rows: Int, firstYear: Int, years: Int) async throws {
        try await database.write { db in
            guard try db.row(BenchmarkSQL.recordCount)?.int("n") == 0 else { throw StoreError.notEmpty("the benchmark fills an empty ledger only") }
            let start = String(format: "%04d-01-01T00:00:00Z", firstYear)
            let seconds = Double(years) * 365.25 * 86_400 / Double(max(rows, 1))
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
                INSERT INTO record (origin, record_id, version, record_type, content_sha256, batch_id, received_at, event_date,
                                    fiche, domain, status, region, contract, bottleneck, scheme, scheme_native, referring_agency, gender, age_band)
                SELECT origin, 'B' || rid, 1 + (i % 5 = 4), CASE WHEN rid % 10 = 7 THEN 'trainee' ELSE 'vacancy' END,
                       'bench', 'bench-' || (i / 1000),
                       strftime('%Y-%m-%dT%H:%M:%SZ', ?, '+' || CAST(i * ? AS INTEGER) || ' seconds'), '2020-01-01',
                       fiche, substr(fiche, 1, 3), CASE i % 3 WHEN 0 THEN 'OPEN' WHEN 1 THEN 'FILLED' ELSE 'CANCELLED' END,
                       CASE i % 4 WHEN 0 THEN 'FLANDERS' WHEN 1 THEN 'BRUSSELS' WHEN 2 THEN 'WALLONIA' ELSE 'GERMAN_SPEAKING_COMMUNITY' END,
                       'PERMANENT', i % 2, NULL, NULL,
                       CASE WHEN rid % 10 = 7 THEN CASE rid % 3 WHEN 0 THEN 'FOREM' WHEN 1 THEN 'ACTIRIS' ELSE 'VDAB' END END,
                       CASE i % 2 WHEN 0 THEN 'F' ELSE 'M' END, '25-29'
                FROM (SELECT i, i - (i % 5 = 4) AS rid,
                             CASE (i / 1000) % 4 WHEN 0 THEN 'VDAB' WHEN 1 THEN 'ACTIRIS' WHEN 2 THEN 'ADG' ELSE 'BF' END AS origin,
                             char(65 + (i * 7) % 14) || printf('%04d', 1100 + (i * 13) % 500) AS fiche FROM n)
                """, arguments: [rows, start, seconds])
            for statement in BenchmarkSQL.batchesOfRecords { try db.change(statement) }
            try Self.rebuildStatistics(db)
        }
        try await database.writeWithoutTransaction { try $0.execute(sql: "ANALYZE") }
    }

    /// Moves everything in the write-ahead log into the database file and empties the log.
    public func checkpoint() async throws {
        try await database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }
}
