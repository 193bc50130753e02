import Foundation
import GRDB

/// The ledger's statements (`LedgerSQL`) run on a GRDB connection: `?` placeholders, GRDB's
/// arguments, rows read by column name (`LedgerRow`).
extension Database {
    /// Every row the statement gives.
    func rows(_ statement: LedgerSQL) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: statement.text(.sqlite)), arguments: statement.sqliteArguments)
    }

    /// The statement's first row, if any.
    func row(_ statement: LedgerSQL) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: statement.text(.sqlite)), arguments: statement.sqliteArguments)
    }

    /// The statement's rows one at a time (a large table read without holding it all).
    func cursor(_ statement: LedgerSQL) throws -> RowCursor {
        try Row.fetchCursor(cachedStatement(sql: statement.text(.sqlite)), arguments: statement.sqliteArguments)
    }

    /// Runs a change; answers how many rows it changed (what `RETURNING 1` counts on PostgreSQL).
    @discardableResult
    func change(_ statement: LedgerSQL) throws -> Int {
        _ = try Row.fetchAll(cachedStatement(sql: statement.text(.sqlite)), arguments: statement.sqliteArguments)
        return changesCount
    }
}

extension LedgerSQL {
    var sqliteArguments: StatementArguments {
        StatementArguments(values.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .text(let v): v
            case .integer(let v): v
            case .real(let v): v
            case .blob(let v): v
            }
        })
    }
}

extension Row: LedgerRow {
    public func optionalString(_ column: String) throws -> String? { self[column] }
    public func optionalInt(_ column: String) throws -> Int? { self[column] }
    public func optionalDouble(_ column: String) throws -> Double? { self[column] }
    public func bytes(_ column: String) throws -> Data? { self[column] }
}
