import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// Where a PostgreSQL ledger lives and how to reach it (`store: postgres://…` in the configuration).
public struct PostgresSettings: Sendable, Equatable {
    public enum TLSMode: String, Sendable, CaseIterable { case disable, prefer, require }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    /// Read from an owner-only file (`store.passwordFile`); never in the URL.
    public var password: String?
    /// TLS to the server (`store.tls`): `require` by default for a server on another machine (a
    /// `prefer` there is downgraded to clear text by whoever sits on the path), `prefer` on loopback.
    public var tls: TLSMode
    /// The CA of the server's certificate (`store.tlsCAFile`); the system's trust store when nil.
    /// The server's host name is checked against its certificate either way.
    public var caFile: String?
    /// The most connections this process opens (`store.connections`); the database's own limit
    /// must hold every replica's, plus one for each replica's scheduled jobs.
    public var connections = 8

    /// From `postgres://user@host:port/database`. A password in the URL is refused: it would sit in
    /// a configuration file that is not a secret.
    public init(url: String, password: String? = nil) throws {
        guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme ?? "") else {
            throw LedgerError("'\(url)' is not a PostgreSQL URL (postgres://user@host:5432/database)")
        }
        guard parts.password == nil else {
            throw LedgerError("the PostgreSQL URL holds a password: put it in an owner-only file named by store.passwordFile instead")
        }
        guard let host = parts.host, !host.isEmpty else { throw LedgerError("the PostgreSQL URL names no host (postgres://user@host:5432/database)") }
        guard let user = parts.user, !user.isEmpty else { throw LedgerError("the PostgreSQL URL names no user (postgres://user@host:5432/database)") }
        let database = String(parts.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw LedgerError("the PostgreSQL URL names no database (postgres://user@host:5432/database)") }
        guard (parts.queryItems ?? []).isEmpty else { throw LedgerError("the PostgreSQL URL takes no options: set them as store.tls, store.connections") }
        (self.host, self.port, self.user, self.database, self.password) = (host, parts.port ?? 5432, user, database, password)
        let loopback = host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
        self.tls = loopback ? .prefer : .require
    }

    /// The client's TLS: TLS 1.2 at least, the server's certificate checked against `caFile`.
    func tlsConfiguration() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile { configuration.trustRoots = .file(caFile) }
        return configuration
    }

    /// The URL, without a password: what logs and errors name.
    public var url: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    func connection() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch self.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: tlsConfiguration()))
        case .require: tls = .require(try NIOSSLContext(configuration: tlsConfiguration()))
        }
        return .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    func client() throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch self.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(tlsConfiguration())
        case .require: tls = .require(tlsConfiguration())
        }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = max(2, connections)
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }
}

/// The gateway's ledger on PostgreSQL, for several replicas of one gateway behind a load balancer:
/// the same tables and migrations as `SQLiteStore`, through PostgresNIO's connection pool.
///
/// Opening it checks the server with one connection of its own (a clear error if it cannot be
/// reached, refuses the user, or has no such database), and runs the migrations it does not hold
/// yet under an advisory lock, so that replicas starting at once migrate once. The pool runs in a
/// task of its own until the store is released.
///
/// Rules that must hold across replicas are the database's: a batch id and a record version are
/// primary keys; a receive transaction locks the records it decides (advisory transaction locks,
/// in key order) and is run again if PostgreSQL reports a deadlock, a serialization failure or a
/// key taken meanwhile by another replica.
public final class PostgresStore: Sendable {
    let client: PostgresClient
    private let running: Task<Void, Never>
    let settings: PostgresSettings
    let payloadKey: PayloadKey?
    let lease: Lease
    let logger: Logger

    private init(settings: PostgresSettings, payloadKey: PayloadKey?, lease: Lease, logger: Logger) throws {
        self.settings = settings
        self.payloadKey = payloadKey
        self.lease = lease
        self.logger = logger
        // The pool's own messages: errors only (its warning that a lease came before the pool's task
        // had started is noise); what fails reaches the caller of the statement anyway.
        var background = logger
        background.logLevel = .error
        let client = PostgresClient(configuration: try settings.client(), backgroundLogger: background)
        self.client = client
        running = Task { await client.run() }
    }

    deinit { running.cancel() }

    /// Connects, migrates, and starts the pool.
    public static func open(_ settings: PostgresSettings, payloadKey: PayloadKey? = nil, lease: Lease = Lease(),
                            logger: Logger = Logger(label: "gateway.ledger")) async throws -> PostgresStore {
        try await migrate(settings, logger: logger)
        return try PostgresStore(settings: settings, payloadKey: payloadKey, lease: lease, logger: logger)
    }

    /// The migrations' advisory lock: any number of replicas may start at once; one migrates.
    static let migrationLock = 0x6265_7065_736C_6467   // "bepesldg"

    /// Runs the migrations not applied yet, each in its own transaction, under the migration lock.
    static func migrate(_ settings: PostgresSettings, logger: Logger) async throws {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: try settings.connection(), id: 0, logger: logger)
        } catch {
            throw LedgerError("the PostgreSQL ledger at \(settings.url) cannot be reached: \(Self.explain(error))")
        }
        do {
            try await connection.query("SELECT pg_advisory_lock(\(migrationLock))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS ledger_migration (identifier TEXT COLLATE "C" PRIMARY KEY, applied_at TEXT NOT NULL)
                """, logger: logger)
            var applied = Set<String>()
            for try await name in try await connection.query("SELECT identifier FROM ledger_migration", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            let known = Set(PostgresMigrations.all.map(\.name))
            if let unknown = applied.subtracting(known).sorted().last {
                throw LedgerError("the PostgreSQL ledger at \(settings.url) holds migration \(unknown), which this gateway does not know: it is older than the ledger")
            }
            for migration in PostgresMigrations.all where !applied.contains(migration.name) {
                try await connection.withTransaction(logger: logger) { c in
                    for statement in migration.statements { try await c.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                    let name = migration.name, at = TimestampClock.now()
                    try await c.query("INSERT INTO ledger_migration (identifier, applied_at) VALUES (\(name), \(at))", logger: logger)
                }
                logger.info("ledger migrated", metadata: ["migration": "\(migration.name)"])
            }
            try await connection.query("SELECT pg_advisory_unlock(\(migrationLock))", logger: logger)
        } catch {
            try? await connection.close()
            if error is LedgerError { throw error }
            throw LedgerError("the PostgreSQL ledger at \(settings.url) could not be migrated: \(Self.explain(error))")
        }
        try? await connection.close()
    }

    /// Makes a new, empty database named `name` on the server that `server` reaches (through the
    /// database it names), for benchmarks and tests; answers the settings that reach the new one.
    public static func createDatabase(_ name: String, on server: PostgresSettings) async throws -> PostgresSettings {
        let logger = statementLogger
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { throw LedgerError("'\(name)' is not a plain database name") }
        let connection = try await PostgresConnection.connect(configuration: try server.connection(), id: 0, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE template0 ENCODING 'UTF8'"), logger: logger)
        } catch {
            try? await connection.close()
            throw LedgerError("database \(name) cannot be made at \(server.url): \(explain(error))")
        }
        try? await connection.close()
        var settings = server
        settings.database = name
        return settings
    }

    /// Removes a database made by `createDatabase` (its sessions are ended first).
    public static func dropDatabase(_ name: String, on server: PostgresSettings) async throws {
        let logger = statementLogger
        let connection = try await PostgresConnection.connect(configuration: try server.connection(), id: 0, logger: logger)
        defer { Task { try? await connection.close() } }
        try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
    }

    public var payloadKeyInForce: PayloadKey? { payloadKey }
    public var name: String { StoreLocation.postgres(settings).description }
    public var dialect: SQLDialect { .postgres }

    public func appliedMigrations() async throws -> [String] {
        try await autocommit { c in
            try await c.all("SELECT identifier FROM ledger_migration ORDER BY identifier").map { try $0.string("identifier") }
        }
    }

    /// Runs a scheduled job under a session advisory lock named after it, on one connection held
    /// for the job's length: if this replica dies, PostgreSQL ends the session and the lock with it.
    public func exclusively<T: Sendable>(_ job: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        let key = "gateway job " + job
        return try await client.withConnection { connection -> T? in
            let got = try await connection.all("SELECT pg_try_advisory_lock(hashtextextended(\(key), 0)) AS got", logger: logger)
            guard try got.first?.bool("got") == true else { return nil }
            do {
                let result = try await body()
                try await connection.query("SELECT pg_advisory_unlock(hashtextextended(\(key), 0))", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(hashtextextended(\(key), 0))", logger: logger)
                throw error
            }
        }
    }

    // MARK: running statements

    /// Statements outside a transaction, each committed on its own: reads, and changes of one row
    /// or one statement.
    func autocommit<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do { return try await client.withConnection { try await body($0) } } catch { throw Self.failure(error, store: settings.url) }
    }

    /// A transaction, run again (up to sixteen times, after a short random wait) when PostgreSQL
    /// reports that it lost a race with another transaction: a deadlock, a serialization failure,
    /// or (with `keysTakenMeanwhile`) a unique key another replica took since this one looked.
    func transaction<T: Sendable>(keysTakenMeanwhile: Bool = false, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await client.withConnection { connection in
                    try await connection.withTransaction(logger: logger) { try await body($0) }
                }
            } catch {
                let state = Self.sqlState(error)
                let lostRace = state == "40P01" || state == "40001" || (keysTakenMeanwhile && (state == "23505" || Self.unwrapped(error) is LostRace))
                guard lostRace, attempt < 16 else { throw Self.failure(error, store: settings.url) }
                attempt += 1
                logger.debug("a ledger transaction lost a race with another replica; run again", metadata: ["sqlState": "\(state ?? "")", "attempt": "\(attempt)"])
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 << min(attempt, 5)))))
            }
        }
    }

    /// The SQLSTATE of a server error, looking through a transaction's wrapping.
    static func sqlState(_ error: any Error) -> String? { (unwrapped(error) as? PSQLError)?.serverInfo?[.sqlState] }

    /// The error inside a transaction's wrapping (what failed: the body, the commit or the begin).
    static func unwrapped(_ error: any Error) -> any Error {
        guard let t = error as? PostgresTransactionError, let inner = t.closureError ?? t.commitError ?? t.beginError else { return error }
        return inner
    }

    /// A store fault as an operator reads it: the server's message and SQLSTATE, not the driver's dump.
    static func failure(_ error: any Error, store: String) -> any Error {
        let error = unwrapped(error)
        if error is LedgerError || error is PayloadError || error is StoreError || error is CancellationError || error is LostRace { return error }
        return LedgerError("the PostgreSQL ledger at \(store): \(explain(error))")
    }

    static func explain(_ error: any Error) -> String {
        if let p = unwrapped(error) as? PSQLError {
            if let message = p.serverInfo?[.message] {
                return message + (p.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
            }
            if p.code == .connectionError || p.code == .unexpectedBackendMessage || p.code == .serverClosedConnection {
                let text = String(describing: p.underlying ?? p)
                if text.contains("Connection refused") { return "connection refused (is the server running, and listening on that address?)" }
                if text.lowercased().contains("timed out") || text.lowercased().contains("timeout") { return "no answer within 10 s" }
                if text.contains("resolve") || text.contains("No address") { return "the host name does not resolve" }
                return "the connection failed (\(text.prefix(200)))"
            }
            return "\(p.code)" + (p.underlying.map { ": \(String(describing: $0).prefix(200))" } ?? "")
        }
        return String(describing: error)
    }
}

/// What a transaction throws when it finds that another writer changed what it decided on: it is
/// run again.
struct LostRace: Error, CustomStringConvertible {
    var description: String { "other replicas kept changing the same records; the batch was not stored (the sender tries again)" }
}

/// The logger statements run with: notices and worse only, so that no statement's values (personal
/// data among them) ever reach a log, whatever level the gateway logs at.
let statementLogger: Logger = {
    var logger = Logger(label: "gateway.ledger.sql")
    logger.logLevel = .notice
    return logger
}()

/// The time of a migration, as the ledger writes instants.
enum TimestampClock {
    static func now() -> String { DueTime.string(Date()) }
}

extension PostgresConnection {
    /// Every row of a statement, read whole.
    func all(_ query: PostgresQuery, logger: Logger = statementLogger) async throws -> [PostgresRandomAccessRow] {
        try await self.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// A statement's first row, if any.
    func one(_ query: PostgresQuery, logger: Logger = statementLogger) async throws -> PostgresRandomAccessRow? {
        try await all(query, logger: logger).first
    }

    /// Runs a statement, reading its rows away; answers how many there were (with `RETURNING`, the
    /// rows a change touched).
    @discardableResult
    func run(_ query: PostgresQuery, logger: Logger = statementLogger) async throws -> Int {
        try await self.query(query, logger: logger).collect().count
    }
}

extension PostgresRandomAccessRow {
    func bool(_ column: String) throws -> Bool { try self[column].decode(Bool.self) }
}
