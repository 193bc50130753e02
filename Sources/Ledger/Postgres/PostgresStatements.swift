import Foundation
import PostgresNIO

/// The ledger's statements (`LedgerSQL`) run on a PostgresNIO connection: `$n` placeholders,
/// PostgresNIO's bindings (a list as one `text[]`), rows read by column name (`LedgerRow`).
extension PostgresConnection {
    func rows(_ statement: LedgerSQL, logger: Logger = statementLogger) async throws -> [PostgresRandomAccessRow] {
        try await all(try statement.postgres, logger: logger)
    }

    func row(_ statement: LedgerSQL, logger: Logger = statementLogger) async throws -> PostgresRandomAccessRow? {
        try await all(try statement.postgres, logger: logger).first
    }

    /// Runs a statement; answers how many rows it gave (with `RETURNING 1`, the rows it changed).
    @discardableResult
    func change(_ statement: LedgerSQL, logger: Logger = statementLogger) async throws -> Int {
        try await run(try statement.postgres, logger: logger)
    }
}

extension LedgerSQL {
    var postgres: PostgresQuery {
        get throws {
        var binds = PostgresBindings()
        for part in parts {
            switch part {
            case .value(.text(let v?)): binds.append(v)
            case .value(.integer(let v?)): binds.append(v)
            case .value(.real(let v?)): binds.append(v)
            case .value(.blob(let v?)): try binds.append(v)
            case .value: binds.appendNull()
            case .isIn(let values): binds.append(values)
            case .sql, .dialect: break
            }
        }
        return PostgresQuery(unsafeSQL: text(.postgres), binds: binds)
        }
    }
}

extension PostgresRandomAccessRow: LedgerRow {
    public func optionalString(_ column: String) throws -> String? { try self[column].decode(String?.self) }
    public func optionalInt(_ column: String) throws -> Int? { try self[column].decode(Int?.self) }
    public func optionalDouble(_ column: String) throws -> Double? { try self[column].decode(Double?.self) }
    public func bytes(_ column: String) throws -> Data? { try self[column].decode(Data?.self) }
}
