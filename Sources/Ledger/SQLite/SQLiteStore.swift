import Files
import Foundation
import GRDB
import Taxonomy

/// The gateway's embedded store: one SQLite database in WAL mode, through GRDB.
///
/// Opening it runs the versioned migrations that it does not hold yet, so a gateway started on an
/// older store brings it up to date before it serves anything.
public final class SQLiteStore: Sendable {
    let database: DatabasePool
    /// The database file.
    public let path: String
    /// Seals trainee payloads at rest, and opens them (nil: stored as they are).
    let payloadKey: PayloadKey?
    let synchronous: Synchronous
    /// This process's claims on shared work (one process per SQLite file: its earlier runs' claims give way).
    let lease: Lease

    /// How commits reach the disk (SQLite's `synchronous` in WAL mode). `full`: every commit is
    /// flushed before it returns, so a receipt answered after it survives a power cut. `normal`: the
    /// log is flushed at checkpoints only; a commit survives the process crashing, not the machine.
    public enum Synchronous: String, Sendable { case full, normal }

    /// Opens (creating if needed) the store at `path`, in WAL mode, and migrates it.
    public init(path: String, payloadKey: PayloadKey? = nil, synchronous: Synchronous = .full, lease: Lease = Lease()) throws {
        self.path = path
        self.lease = lease
        self.payloadKey = payloadKey
        self.synchronous = synchronous
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        // The ledger holds records: its folder 0700, its file 0600 made before SQLite opens it, so
        // that its `-wal` and `-shm` (which SQLite makes with the database file's mode) are too.
        do {
            try PrivateFiles.makeFolder(folder)
            if RegularFile.kind(path) == nil { try? PrivateFiles.create(path).close() }
        } catch let fault as FileFault { throw LedgerError(fault.description) }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // A new ledger gets 16 KiB pages (an existing one keeps its own): batch bodies of
            // megabytes are written, checkpointed and read a quarter as many pages at a time.
            try db.execute(sql: "PRAGMA page_size = 16384")
            try db.execute(sql: "PRAGMA synchronous = \(synchronous == .full ? "FULL" : "NORMAL")")
            // 8 MiB of page cache (SQLite's default is 2 MiB): a batch's body and rows fit without
            // spilling pages in the middle of its transaction (a tenth of a pick-up's time).
            try db.execute(sql: "PRAGMA cache_size = -8192")
        }
        database = try DatabasePool(path: path, configuration: configuration)
        try Self.exclusively(lockFile: path + "-migrations.lock") { try Migrations.migrator.migrate(database) }
    }

    /// Runs `body` holding an exclusive lock on `lockFile` (made if needed): two processes opening
    /// one new store at once (a gateway starting, an operator's command) migrate it one after the
    /// other, the second finding the work done. The lock goes with the process if it dies.
    private static func exclusively(lockFile: String, _ body: () throws -> Void) throws {
        let descriptor = open(lockFile, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LedgerError("\(lockFile): cannot be opened (\(String(cString: strerror(errno))))") }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw LedgerError("\(lockFile): cannot be locked (\(String(cString: strerror(errno))))") }
        defer { flock(descriptor, LOCK_UN) }
        try body()
    }

    /// The key payloads are sealed with, which also makes the persons' pseudonyms (nil: none).
    public var payloadKeyInForce: PayloadKey? { payloadKey }

    /// The migrations this store holds, in order.
    public func appliedMigrations() async throws -> [String] {
        try await database.read { db in try Migrations.migrator.appliedMigrations(db) }
    }

    public var name: String { StoreLocation.sqlite(path: path, synchronous: synchronous).description }
    public var dialect: SQLDialect { .sqlite }

    /// One process per SQLite file: scheduled work is always this process's.
    public func exclusively<T: Sendable>(_ job: String, _ body: @Sendable () async throws -> T) async throws -> T? { try await body() }
}
