/// Something a JSON value is described to, call by call, as it is made: written out as compact
/// bytes (`CompactJSONWriter`) or built as a `JSONValue` (`JSONValueBuilder`). An encoder written
/// once against it gives both, the same value.
public protocol JSONDescribing {
    /// An object, its members described by `members`.
    mutating func object(_ members: (inout Self) -> Void)
    /// An array, its items described by `items`.
    mutating func array(_ items: (inout Self) -> Void)
    /// A member's name (a literal that needs no escaping: a literal's `String` costs nothing to
    /// keep in a value); its value is what is described next.
    mutating func key(_ name: String)
    mutating func string(_ value: String)
    /// A number, already written as JSON writes it (`JSONValue.number`).
    mutating func number(_ text: String)
}

extension JSONDescribing {
    /// A member whose value is a string.
    @inline(__always)
    public mutating func member(_ name: String, _ value: String) {
        key(name)
        string(value)
    }
}

/// Builds the `JSONValue` a description gives.
public struct JSONValueBuilder: JSONDescribing {
    /// The members of the objects open, innermost last, and the items of the arrays open.
    private var objects: [[(String, JSONValue)]] = []
    private var arrays: [[JSONValue]] = []
    /// For each container open, innermost last: whether it is an object.
    private var isObject: [Bool] = []
    private var pendingKey = ""
    /// The value described, once its outermost object or array is closed.
    public private(set) var value: JSONValue = .null

    public init() {}

    private mutating func add(_ item: JSONValue) {
        switch isObject.last {
        case true?: objects[objects.count - 1].append((pendingKey, item))
        case false?: arrays[arrays.count - 1].append(item)
        case nil: value = item
        }
    }

    public mutating func object(_ members: (inout JSONValueBuilder) -> Void) {
        let key = pendingKey
        isObject.append(true)
        objects.append([])
        objects[objects.count - 1].reserveCapacity(8)
        members(&self)
        isObject.removeLast()
        pendingKey = key
        add(.object(objects.removeLast()))
    }

    public mutating func array(_ items: (inout JSONValueBuilder) -> Void) {
        let key = pendingKey
        isObject.append(false)
        arrays.append([])
        items(&self)
        isObject.removeLast()
        pendingKey = key
        add(.array(arrays.removeLast()))
    }

    public mutating func key(_ name: String) { pendingKey = name }
    public mutating func string(_ value: String) { add(.string(value)) }
    public mutating func number(_ text: String) { add(.number(text)) }
}
