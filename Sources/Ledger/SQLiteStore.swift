import Foundation
import GRDB
import Taxonomy

/// The gateway's embedded store: one SQLite database in WAL mode, through GRDB.
///
/// Opening it runs the versioned migrations that it does not hold yet, so a gateway started on an
/// older store brings it up to date before it serves anything.
public final class SQLiteStore: Sendable {
    let database: DatabasePool
    /// Seals trainee payloads at rest, and opens them (nil: stored as they are).
    let payloadKey: PayloadKey?
    let synchronous: Synchronous

    /// How commits reach the disk (SQLite's `synchronous` in WAL mode). `full`: every commit is
    /// flushed before it returns, so a receipt answered after it survives a power cut. `normal`: the
    /// log is flushed at checkpoints only; a commit survives the process crashing, not the machine.
    public enum Synchronous: String, Sendable { case full, normal }

    /// Opens (creating if needed) the store at `path`, in WAL mode, and migrates it.
    public init(path: String, payloadKey: PayloadKey? = nil, synchronous: Synchronous = .full) throws {
        self.payloadKey = payloadKey
        self.synchronous = synchronous
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous == .full ? "FULL" : "NORMAL")")
            // 8 MiB of page cache (SQLite's default is 2 MiB): a batch's body and rows fit without
            // spilling pages in the middle of its transaction (a tenth of a pick-up's time).
            try db.execute(sql: "PRAGMA cache_size = -8192")
        }
        database = try DatabasePool(path: path, configuration: configuration)
        try Migrations.migrator.migrate(database)
    }

    /// The key payloads are sealed with, which also makes the persons' pseudonyms (nil: none).
    public var payloadKeyInForce: PayloadKey? { payloadKey }

    /// The migrations this store holds, in order.
    public func appliedMigrations() throws -> [String] {
        try database.read { db in try Migrations.migrator.appliedMigrations(db) }
    }
}
