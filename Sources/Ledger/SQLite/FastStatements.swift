import GRDB
import GRDBSQLite

/// Binding and stepping a prepared statement straight through SQLite's C API, for the few inserts
/// made once per record (a received version, its statistics row, its outcome; a record routed).
/// GRDB's `StatementArguments` turn every value into a `DatabaseValue` first, which was a third of
/// the time of a receive transaction; these bind each value where it is. Used inside GRDB's own
/// transactions, on statements GRDB prepared (`cachedStatement`).
struct Binder {
    let statement: SQLiteStatement
    var index: Int32 = 1

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func text(_ value: String?) {
        defer { index += 1 }
        guard var value else { sqlite3_bind_null(statement, index); return }
        value.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                // An empty string is bound as one (a null pointer would bind NULL).
                if let base = chars.baseAddress, chars.count > 0 {
                    _ = sqlite3_bind_text(statement, index, base, Int32(chars.count), Self.transient)
                } else {
                    _ = sqlite3_bind_text(statement, index, "", 0, Self.transient)
                }
            }
        }
    }

    mutating func int(_ value: Int?) {
        defer { index += 1 }
        guard let value else { sqlite3_bind_null(statement, index); return }
        sqlite3_bind_int64(statement, index, Int64(value))
    }

    mutating func bool(_ value: Bool?) { int(value.map { $0 ? 1 : 0 }) }

    /// Bytes, copied by SQLite as they are bound.
    mutating func blob(_ value: [UInt8]) {
        defer { index += 1 }
        value.withUnsafeBytes { bytes in _ = sqlite3_bind_blob64(statement, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, sqlite3_uint64(bytes.count), Self.transient) }
    }
}

extension Statement {
    /// Binds every parameter through `bind`, runs the statement to its end, and resets it.
    func run(in db: Database, _ bind: (inout Binder) -> Void) throws {
        sqlite3_reset(sqliteStatement)
        var binder = Binder(statement: sqliteStatement)
        bind(&binder)
        let code = sqlite3_step(sqliteStatement)
        sqlite3_reset(sqliteStatement)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
        }
    }
}

extension Statement {
    /// Binds every parameter through `bind`, steps once, and reads the first row through `read`
    /// (nil: no row); resets the statement. For the lookups made once per record received.
    func first<T>(in db: Database, _ bind: (inout Binder) -> Void, _ read: (ColumnReader) -> T) throws -> T? {
        sqlite3_reset(sqliteStatement)
        defer { sqlite3_reset(sqliteStatement) }
        var binder = Binder(statement: sqliteStatement)
        bind(&binder)
        switch sqlite3_step(sqliteStatement) {
        case SQLITE_ROW: return read(ColumnReader(statement: sqliteStatement))
        case SQLITE_DONE: return nil
        case let code:
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
        }
    }
}

/// The columns of the row a statement stands on, read straight through SQLite's C API.
struct ColumnReader {
    let statement: SQLiteStatement

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement, column)) }

    /// The column's text ("" for NULL).
    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(statement, column) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement, column))), as: UTF8.self)
    }
}

extension RecordFacts {
    /// The facts, bound in the order of `columns`.
    func bind(_ b: inout Binder) {
        b.text(fiche); b.text(domain); b.text(status); b.text(region); b.text(contract); b.bool(bottleneck)
        b.text(scheme); b.text(schemeNative); b.text(referringAgency); b.text(gender); b.text(ageBand); b.text(personKey)
    }
}
