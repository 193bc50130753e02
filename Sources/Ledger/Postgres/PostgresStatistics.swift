import Foundation
import PostgresNIO

extension PostgresStore {
    /// Makes `received_record` and `flow_month` again from the record rows and the batches'
    /// outcomes (as `SQLiteStore.rebuildStatistics`): the statements, for migration 0009 and the
    /// statistics benchmark.
    static func rebuildStatistics(columns: [String] = RecordFacts.columns) -> [String] {
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
                FROM batch_record br JOIN batch b ON b.batch_id = br.batch_id AND b.direction = 'in'
                JOIN record r ON r.origin = b.peer AND r.record_id = br.record_id AND r.version = br.version
                WHERE br.outcome IN ('accepted', 'duplicate')) t
            GROUP BY record_type, month, flow_origin, sender
            """,
        ]
    }

    /// Fills an empty ledger with `rows` generated record versions, as `SQLiteStore.fillForBenchmark`
    /// does, row for row: the same records, times and facts.
    public func fillForBenchmark(rows: Int, firstYear: Int, years: Int) async throws {
        let start = String(format: "%04d-01-01T00:00:00Z", firstYear)
        let seconds = Double(years) * 365.25 * 86_400 / Double(max(rows, 1))
        try await transaction { c in
            guard try await c.one("SELECT COUNT(*) AS n FROM record")?.int("n") == 0 else { throw StoreError.notEmpty("the benchmark fills an empty ledger only") }
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
            try await c.run("""
                INSERT INTO batch (batch_id, direction, peer, record_type, body_sha256, state, created_at, updated_at, record_count)
                SELECT batch_id, 'in', MIN(origin), 'vacancy', 'bench', 'delivered', MIN(received_at), MIN(received_at), COUNT(*) FROM record GROUP BY batch_id
                """)
            try await c.run("""
                INSERT INTO batch_record (batch_id, position, record_id, version, outcome)
                SELECT batch_id, ROW_NUMBER() OVER (PARTITION BY batch_id ORDER BY record_id, version), record_id, version, 'accepted' FROM record
                """)
            for statement in Self.rebuildStatistics() { try await c.run(PostgresQuery(unsafeSQL: statement)) }
        }
        try await read { c in try await c.run("ANALYZE") }
    }
}
