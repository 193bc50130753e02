import Foundation

/// One statement of the ledger, written once for both stores: SQL text with its values bound by
/// interpolation, rendered per store (`?` and GRDB's arguments for SQLite, `$n` and PostgresNIO's
/// bindings for PostgreSQL). A value is never spliced into the text.
///
/// ```swift
/// let query: LedgerSQL = "SELECT state FROM batch WHERE batch_id = \(batchId) AND direction = 'out'"
/// let rows = try db.rows(query)            // SQLite (inside a GRDB read or write)
/// let rows = try await connection.rows(query)   // PostgreSQL
/// ```
///
/// What the two SQL dialects spell differently is interpolated as a `SQLDialect.Fragment`
/// (`\(.forUpdate)`), and a list of values as `\(isIn: ids)`; everything else is the SQL both take.
public struct LedgerSQL: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// A value bound to the statement, typed (so that PostgreSQL knows a NULL's type too).
    public enum Value: Sendable, Equatable {
        case text(String?)
        case integer(Int?)
        case real(Double?)
        case blob(Data?)
    }

    enum Part: Sendable {
        case sql(String)
        case value(Value)
        /// `IN (…)` over texts: SQLite spells each, PostgreSQL binds one array.
        case isIn([String])
        case dialect(SQLDialect.Fragment)
    }

    private(set) var parts: [Part]

    public init(stringLiteral value: String) { parts = [.sql(value)] }
    public init(stringInterpolation: StringInterpolation) { parts = stringInterpolation.parts }

    /// Statements joined by a space (for a condition added only when it applies).
    public static func + (lhs: LedgerSQL, rhs: LedgerSQL) -> LedgerSQL {
        var joined = lhs
        joined.parts.append(.sql(" "))
        joined.parts += rhs.parts
        return joined
    }

    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var parts: [Part] = []
        public init(literalCapacity: Int, interpolationCount: Int) { parts.reserveCapacity(2 * interpolationCount + 1) }
        public mutating func appendLiteral(_ literal: String) { parts.append(.sql(literal)) }
        public mutating func appendInterpolation(_ value: String?) { parts.append(.value(.text(value))) }
        public mutating func appendInterpolation(_ value: Int?) { parts.append(.value(.integer(value))) }
        /// A ledger enum (`BatchDirection`, `BatchState`, `RecordOutcome`, …) bound as the text its column holds.
        public mutating func appendInterpolation<Code: RawRepresentable<String>>(_ value: Code?) { parts.append(.value(.text(value?.rawValue))) }
        public mutating func appendInterpolation(_ value: Double?) { parts.append(.value(.real(value))) }
        public mutating func appendInterpolation(_ value: Data?) { parts.append(.value(.blob(value))) }
        /// `IN (…)` for SQLite, `= ANY(…)` for PostgreSQL, over `values`.
        public mutating func appendInterpolation(isIn values: [String]) { parts.append(.isIn(values)) }
        public mutating func appendInterpolation(_ fragment: SQLDialect.Fragment) { parts.append(.dialect(fragment)) }
        /// SQL text made by the ledger's own code (a column list, a dialect's JSON path), never a value.
        public mutating func appendInterpolation(raw sql: String) { parts.append(.sql(sql)) }
        /// Another statement's text and values, in place (a condition, a shared column list).
        public mutating func appendInterpolation(_ statement: LedgerSQL) { parts += statement.parts }
    }

    /// The SQL text in `dialect`, with its values numbered or marked as that dialect binds them.
    public func text(_ dialect: SQLDialect) -> String {
        var sql = "", n = 0
        func placeholder() -> String {
            n += 1
            return dialect == .sqlite ? "?" : "$\(n)"
        }
        for part in parts {
            switch part {
            case .sql(let s): sql += s
            case .value: sql += placeholder()
            case .isIn(let values):
                sql += dialect == .sqlite ? "IN (" + values.map { _ in placeholder() }.joined(separator: ", ") + ")" : "= ANY(\(placeholder())::text[])"
            case .dialect(let fragment): sql += fragment.text(dialect)
            }
        }
        return sql
    }

    /// The values in the order `text(dialect)` numbers them (an `isIn` list as SQLite spells it).
    public var values: [Value] {
        parts.flatMap { part -> [Value] in
            switch part {
            case .value(let v): [v]
            case .isIn(let values): values.map { .text($0) }
            default: []
            }
        }
    }

    public var description: String { text(.sqlite) }
}
