/// The few places where SQL written once for both stores (the statistics', the operators' listing)
/// differs between them: reading JSON kept as text (receipts), and joining values into a list.
/// Everything else is written in SQL both understand.
public enum SQLDialect: Sendable {
    case sqlite, postgres

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
