/// The few places where SQL written once for both stores differs between them: row locks, reading
/// JSON kept as text (receipts), joining values into a list, a join's order. Everything else is
/// written in SQL both understand (`LedgerSQL`).
public enum SQLDialect: Sendable, Equatable {
    case sqlite, postgres

    public enum Fragment: Sendable {
        /// Row locks for a read that a write in the same transaction depends on: PostgreSQL's
        /// `FOR UPDATE`; SQLite has one writer at a time and needs none.
        case forUpdate
        /// `FOR UPDATE SKIP LOCKED`: replicas that claim work pass over each other's rows.
        case forUpdateSkipLocked
        /// The order in which a table `alias`'s rows were written: SQLite's `rowid`, PostgreSQL's
        /// identity column `seq` (migration 1 of each).
        case writeOrder(String)

        func text(_ dialect: SQLDialect) -> String {
            switch (self, dialect) {
            case (.writeOrder(let alias), .sqlite): "\(alias).rowid"
            case (.writeOrder(let alias), .postgres): "\(alias).seq"
            case (_, .sqlite): ""
            case (.forUpdate, .postgres): " FOR UPDATE"
            case (.forUpdateSkipLocked, .postgres): " FOR UPDATE SKIP LOCKED"
            }
        }
    }

    /// A member of a JSON document held in a text column, as text: `json(receipt, "receivedAt")`.
    public func json(_ column: String, _ path: String...) -> String {
        switch self {
        case .sqlite: "json_extract(\(column), '$.\(path.joined(separator: "."))')"
        case .postgres: "(\(column)::json #>> '{\(path.joined(separator: ","))}')"
        }
    }

    /// A number in a JSON document held in a text column: `jsonNumber(receipt, "counts", "rejected")`.
    public func jsonNumber(_ column: String, _ path: String...) -> String {
        switch self {
        case .sqlite: "json_extract(\(column), '$.\(path.joined(separator: "."))')"
        case .postgres: "(\(column)::json #>> '{\(path.joined(separator: ","))}')::bigint"
        }
    }

    /// A join done in the order written: SQLite's `CROSS JOIN` (its planner never reorders one);
    /// PostgreSQL plans joins itself, and takes `CROSS JOIN` without a condition only.
    public var joinInOrder: String {
        switch self {
        case .sqlite: "CROSS JOIN"
        case .postgres: "JOIN"
        }
    }

    /// The values of an aggregate's group joined with commas.
    public func commaList(_ expression: String) -> String {
        switch self {
        case .sqlite: "group_concat(\(expression))"
        case .postgres: "string_agg(\(expression), ',')"
        }
    }

    /// The elements of a JSON array member of a text column, as a table `alias` to join; its
    /// elements' members are read with `element(alias, member)`.
    public func jsonElements(_ column: String, member: String, as alias: String) -> String {
        switch self {
        case .sqlite: "json_each(\(column), '$.\(member)') \(alias)"
        case .postgres: "json_array_elements(\(column)::json -> '\(member)') \(alias)"
        }
    }

    public func element(_ alias: String, _ member: String) -> String {
        switch self {
        case .sqlite: "json_extract(\(alias).value, '$.\(member)')"
        case .postgres: "(\(alias) ->> '\(member)')"
        }
    }
}
