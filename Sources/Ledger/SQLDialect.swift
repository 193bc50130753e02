/// The few places where the statistics' SQL differs between the stores: reading JSON kept as text
/// (receipts). Everything else the statistics ask is written once, in SQL both understand.
public enum SQLDialect: Sendable {
    case sqlite, postgres

    /// A member of a JSON document held in a text column, as text: `json(receipt, "receivedAt")`.
    public func json(_ column: String, _ path: String...) -> String {
        switch self {
        case .sqlite: "json_extract(\(column), '$.\(path.joined(separator: "."))')"
        case .postgres: "(\(column)::json #>> '{\(path.joined(separator: ","))}')"
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
