import Foundation
import Ledger
import Logging
import Testing

/// The stores the ledger suite runs against.
public enum LedgerKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    public var testDescription: String { self == .sqlite ? "SQLite" : "PostgreSQL" }
}

/// The PostgreSQL server tests use: `GATEWAY_TEST_POSTGRES` (a URL such as
/// `postgres://gateway@127.0.0.1:5432/postgres`, which `.ci/run` sets for the server it starts).
/// Each test gets a database of its own on it.
public enum TestPostgres {
    public static let url: String? = ProcessInfo.processInfo.environment["GATEWAY_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    public static let skipMessage: Comment = "GATEWAY_TEST_POSTGRES is not set (.ci/run starts a server and sets it): the PostgreSQL run is skipped"

    /// A new, empty database on the test server; cancels the test (skipped) where there is no server.
    public static func newDatabase() async throws -> PostgresSettings {
        guard let url else { try Test.cancel(skipMessage) }
        var server = try PostgresSettings(url: url)
        server.tls = .disable
        return try await PostgresStore.createDatabase("ledger_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16),
                                                      on: server)
    }
}

/// A fresh, empty ledger of one kind, in a temporary folder (SQLite) or a database of its own
/// (PostgreSQL); `open` gives more handles on the same ledger: the same process after a restart,
/// or another replica.
public final class TestLedger: Sendable {
    public let kind: LedgerKind
    public let folder: String
    public let postgres: PostgresSettings?
    public let payloadKey: PayloadKey?

    public init(_ kind: LedgerKind, payloadKey: PayloadKey? = nil) async throws {
        self.kind = kind
        self.payloadKey = payloadKey
        folder = Self.root + "/" + UUID().uuidString
        postgres = kind == .postgres ? try await TestPostgres.newDatabase() : nil
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    /// Where test ledgers' files go. A handle may outlive its `TestLedger`, so folders are not
    /// removed with it: those older than an hour are removed when a new one is made.
    static let root: String = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-ledger-tests").path
        let old = Date().addingTimeInterval(-3600)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            let path = root + "/" + name
            if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < old {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        return root
    }()

    public var location: StoreLocation {
        if let postgres { return .postgres(postgres) }
        return .sqlite(path: folder + "/gateway.sqlite", synchronous: .normal)
    }

    /// A handle on the ledger, as the process named `replica` has it.
    /// `key`: another payload key than the ledger's (a replaced key, or none).
    public func open(replica: String = "test", lease: TimeInterval = 60, payloadKey key: PayloadKey?? = .none) async throws -> any LedgerStore {
        var logger = Logger(label: "test.ledger")
        logger.logLevel = .warning
        return try await location.open(payloadKey: key ?? payloadKey, lease: Lease(replica: replica, duration: lease), logger: logger)
    }
}

extension LedgerStore {
    /// The first column of a query's rows (what the tests read of a ledger).
    public func column(_ sql: String, _ arguments: [String] = []) async throws -> [String?] {
        try await rows(sql, arguments).map { $0.first ?? nil }
    }
}
