/// The statistics benchmark's fill, as both stores run it after making their records (each with its
/// own series and date functions: SQLite's recursive `WITH` and `strftime`, PostgreSQL's
/// `generate_series` and `to_char`, `StatisticsRebuild.swift` and `PostgresStatistics.swift`).
enum BenchmarkSQL {
    static let recordCount: LedgerSQL = "SELECT COUNT(*) AS n FROM record"

    /// One received batch per thousand generated records, and each record's outcome in it.
    static let batchesOfRecords: [LedgerSQL] = [
        """
        INSERT INTO batch (batch_id, direction, peer, record_type, body_sha256, state, created_at, updated_at, record_count)
        SELECT batch_id, 'in', MIN(origin), 'vacancy', 'bench', 'delivered', MIN(received_at), MIN(received_at), COUNT(*) FROM record GROUP BY batch_id
        """,
        """
        INSERT INTO batch_record (batch_id, peer, position, record_id, version, outcome)
        SELECT r.batch_id, b.peer, ROW_NUMBER() OVER (PARTITION BY r.batch_id ORDER BY r.record_id, r.version), r.record_id, r.version, 'accepted'
        FROM record r JOIN batch b ON b.batch_id = r.batch_id AND b.direction = 'in'
        """,
    ]
}
