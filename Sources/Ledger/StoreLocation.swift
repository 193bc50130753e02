import Foundation
import Logging

/// Which store a gateway keeps its ledger in (`store:` in its configuration).
public enum StoreLocation: Sendable, Equatable {
    /// One SQLite file (`store: var/vdab.sqlite`): one gateway process.
    case sqlite(path: String, synchronous: SQLiteStore.Synchronous)
    /// One PostgreSQL database (`store: postgres://…`): any number of replicas.
    case postgres(PostgresSettings)

    /// Opens it (migrating it first), with this process's lease on shared work.
    public func open(payloadKey: PayloadKey?, lease: Lease, logger: Logger = Logger(label: "gateway.ledger")) async throws -> any LedgerStore {
        switch self {
        case .sqlite(let path, let synchronous): try SQLiteStore(path: path, payloadKey: payloadKey, synchronous: synchronous, lease: lease)
        case .postgres(let settings): try await PostgresStore.open(settings, payloadKey: payloadKey, lease: lease, logger: logger)
        }
    }

    /// What logs and errors name (no password).
    public var description: String {
        switch self {
        case .sqlite(let path, _): "SQLite at \(path)"
        case .postgres(let settings): "PostgreSQL at \(settings.url)"
        }
    }
}

extension SQLiteStore: LedgerStore {}
extension PostgresStore: LedgerStore {}
