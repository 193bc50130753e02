import ArgumentParser
import Foundation
import Gateway
import Ledger
import Logging
import Taxonomy

/// Where a command finds the gateway's store and mappings.
struct Locations: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The gateway's store: a SQLite file, or a postgres://user@host:5432/database URL (default: $GATEWAY_STORE, else var/gateway.sqlite).",
        valueName: "file-or-url"))
    var store: String?

    @Option(name: .customLong("store-password-file"), help: ArgumentHelp(
        "An owner-only file holding the PostgreSQL password, when --store is a URL.", valueName: "file"))
    var storePasswordFile: String?

    @Option(name: .long, help: ArgumentHelp(
        "The mappings folder (default: $GATEWAY_MAPPINGS, else ./mappings, else the project's own beside the executable).",
        valueName: "dir"))
    var mappings: String?

    var storePath: String {
        store ?? ProcessInfo.processInfo.environment["GATEWAY_STORE"].flatMap { $0.isEmpty ? nil : $0 } ?? "var/gateway.sqlite"
    }

    var isPostgres: Bool { storePath.hasPrefix("postgres://") || storePath.hasPrefix("postgresql://") }

    func mappingsFolder() throws -> MappingsFolder { try MappingsFolder.locate(explicit: mappings) }

    /// The store, opened (and migrated).
    func openStore() async throws -> any LedgerStore {
        guard isPostgres else { return try SQLiteStore(path: storePath) }
        let password = try storePasswordFile.map(LocalFiles.secret)
        var quiet = Logger(label: "gateway.ledger")
        quiet.logLevel = .warning
        return try await StoreLocation.postgres(try PostgresSettings(url: storePath, password: password))
            .open(payloadKey: nil, lease: Lease(replica: "cli"), logger: quiet)
    }

    /// The taxonomy in force: the shipped mappings with the store's import (a SQLite file that does
    /// not exist yet holds none, and is not created).
    func taxonomy() async throws -> Taxonomy {
        if !isPostgres { return try await TaxonomyInForce.load(mappings: try mappingsFolder(), storePath: storePath) }
        return try await TaxonomyInForce.load(mappings: try mappingsFolder(), store: try await openStore())
    }
}
