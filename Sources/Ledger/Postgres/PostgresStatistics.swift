import Foundation
import PostgresNIO

extension PostgresStore {
    /// Fills an empty ledger with `rows` generated record versions, as `SQLiteStore.fillForBenchmark`
    /// does, row for row: the same records, times and facts.
    public func fillForBenchmark(rows: Int, firstYear: Int, years: Int) async throws {
        let start = String(format: "%04d-01-01T00:00:00Z", firstYear)
        let seconds = Double(years) * 365.25 * 86_400 / Double(max(rows, 1))
        try await transaction { c in
            guard try await c.row(BenchmarkSQL.recordCount)?.int("n") == 0 else { throw StoreError.notEmpty("the benchmark fills an empty ledger only") }
            try await c.run("""
                INSERT INTO record (origin, record_id, version, record_type, content_sha256, batch_id, received_at, event_date,
                                    fiche, domain, status, region, contract, bottleneck, scheme, scheme_native, referring_agency, gender, age_band)
                SELECT origin, 'B' || rid, 1 + (CASE WHEN i % 5 = 4 THEN 1 ELSE 0 END), CASE WHEN rid % 10 = 7 THEN 'trainee' ELSE 'vacancy' END,
                       'bench', 'bench-' || (i / 1000),
                       to_char(\(start)::timestamptz AT TIME ZONE 'UTC' + make_interval(secs => floor(i * \(seconds))), 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                       '2020-01-01', fiche, substr(fiche, 1, 3), CASE i % 3 WHEN 0 THEN 'OPEN' WHEN 1 THEN 'FILLED' ELSE 'CANCELLED' END,
                       CASE i % 4 WHEN 0 THEN 'FLANDERS' WHEN 1 THEN 'BRUSSELS' WHEN 2 THEN 'WALLONIA' ELSE 'GERMAN_SPEAKING_COMMUNITY' END,
                       'PERMANENT', i % 2, NULL, NULL,
                       CASE WHEN rid % 10 = 7 THEN CASE rid % 3 WHEN 0 THEN 'FOREM' WHEN 1 THEN 'ACTIRIS' ELSE 'VDAB' END END,
                       CASE i % 2 WHEN 0 THEN 'F' ELSE 'M' END, '25-29'
                FROM (SELECT i, i - (CASE WHEN i % 5 = 4 THEN 1 ELSE 0 END) AS rid,
                             CASE (i / 1000) % 4 WHEN 0 THEN 'VDAB' WHEN 1 THEN 'ACTIRIS' WHEN 2 THEN 'ADG' ELSE 'BF' END AS origin,
                             chr(65 + ((i * 7) % 14)::int) || lpad((1100 + (i * 13) % 500)::text, 4, '0') AS fiche
                      FROM generate_series(0::bigint, \(rows)::bigint - 1) AS i) n
                """)
            for statement in BenchmarkSQL.batchesOfRecords { try await c.change(statement) }
            for statement in LedgerSchema.rebuildStatistics() { try await c.run(PostgresQuery(unsafeSQL: statement)) }
        }
        _ = try await autocommit { c in try await c.run("ANALYZE") }
    }
}
