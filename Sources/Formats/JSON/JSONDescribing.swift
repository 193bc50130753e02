/// Something a JSON value is described to, call by call, as it is made: written out as compact
/// bytes (`CompactJSONWriter`) or built as a `JSONValue` (`JSONValueBuilder`). An encoder written
/// once against it gives both, the same value.
public protocol JSONDescribing {
    /// An object, its members described by `members`.
    mutating func object(_ members: (inout Self) -> Void)
    /// An array, its items described by `items`.
    mutating func array(_ items: (inout Self) -> Void)
    /// A member's name (a literal that needs no escaping); its value is what is described next.
    mutating func key(_ name: StaticString)
    mutating func string(_ value: String)
    /// A number, already written as JSON writes it (`JSONValue.number`).
    mutating func number(_ text: String)
}

extension JSONDescribing {
    /// A member whose value is a string.
    @inline(__always)
    public mutating func member(_ name: StaticString, _ value: String) {
        key(name)
        string(value)
    }
}

/// Builds the `JSONValue` a description gives.
public struct JSONValueBuilder: JSONDescribing {
    private enum Open {
        case object([(String, JSONValue)])
        case array([JSONValue])
    }
    private var open: [Open] = []
    private var pendingKey: String?
    /// The value described, once its outermost object or array is closed.
    public private(set) var value: JSONValue = .null

    public init() {}

    private mutating func add(_ item: JSONValue) {
        guard let last = open.indices.last else { value = item; return }
        // The open container is taken out while it grows, so that appending does not copy it.
        let container = open[last]
        open[last] = .array([])
        switch container {
        case .object(var members):
            members.append((pendingKey ?? "", item))
            open[last] = .object(members)
        case .array(var items):
            items.append(item)
            open[last] = .array(items)
        }
        pendingKey = nil
    }

    public mutating func object(_ members: (inout JSONValueBuilder) -> Void) {
        let key = pendingKey
        open.append(.object([]))
        pendingKey = nil
        members(&self)
        guard case .object(let made) = open.removeLast() else { preconditionFailure("an object closed as an array") }
        pendingKey = key
        add(.object(made))
    }

    public mutating func array(_ items: (inout JSONValueBuilder) -> Void) {
        let key = pendingKey
        open.append(.array([]))
        pendingKey = nil
        items(&self)
        guard case .array(let made) = open.removeLast() else { preconditionFailure("an array closed as an object") }
        pendingKey = key
        add(.array(made))
    }

    public mutating func key(_ name: StaticString) { pendingKey = name.description }
    public mutating func string(_ value: String) { add(.string(value)) }
    public mutating func number(_ text: String) { add(.number(text)) }
}
