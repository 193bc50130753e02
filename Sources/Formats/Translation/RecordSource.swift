/// A value found at a path of one record, whatever the document's syntax.
public enum RawValue {
    case absent
    case null
    case text(String)
    case number(String)
    case bool(Bool)
    case items([any RecordSource])
    /// Something else (an object where a value was expected): its kind, for the message.
    case other(String)
}

/// One record of a document, as the mapping interpreter reads it: a value by path. JSON records
/// implement it now; XML records do the same with element and attribute steps.
public protocol RecordSource {
    func raw(at path: [String]) -> RawValue
    /// The items of a list at a path: JSON array elements, or every XML element the path names;
    /// empty when absent, nil when the value there is not a list.
    func items(at path: [String]) -> [any RecordSource]?
}

extension JSONValue: RecordSource {
    public func raw(at path: [String]) -> RawValue {
        guard let value = value(at: path) else { return .absent }
        switch value {
        case .null: return .null
        case .string(let s): return .text(s)
        case .number(let n): return .number(n)
        case .bool(let b): return .bool(b)
        case .array(let items): return .items(items)
        case .object: return .other(value.kind)
        }
    }

    public func items(at path: [String]) -> [any RecordSource]? {
        switch value(at: path) {
        case nil, .null?: return []
        case .array(let items)?: return items
        default: return nil
        }
    }
}

/// A value to write at a path of one record.
public enum WrittenValue: Equatable, Sendable {
    case null
    case text(String)
    case number(String)
    case bool(Bool)
    /// A list of items, each its own (path, value) pairs.
    case items([[([String], WrittenValue)]])

    public static func == (a: WrittenValue, b: WrittenValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.text(x), .text(y)), let (.number(x), .number(y)): x == y
        case let (.bool(x), .bool(y)): x == y
        case let (.items(x), .items(y)):
            x.count == y.count && zip(x, y).allSatisfy { l, r in l.count == r.count && zip(l, r).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 } }
        default: false
        }
    }
}

extension JSONValue {
    /// Builds a JSON object from (path, value) pairs, nesting objects along each path, in order.
    public static func build(_ pairs: [([String], WrittenValue)]) -> JSONValue {
        var root: [(String, JSONValue)] = []
        for (path, value) in pairs { insert(&root, path[...], json(value)) }
        return .object(root)
    }

    static func json(_ value: WrittenValue) -> JSONValue {
        switch value {
        case .null: .null
        case .text(let s): .string(s)
        case .number(let n): .number(n)
        case .bool(let b): .bool(b)
        case .items(let items): .array(items.map(build))
        }
    }

    static func insert(_ members: inout [(String, JSONValue)], _ path: ArraySlice<String>, _ value: JSONValue) {
        let key = path.first!
        if path.count == 1 { members.append((key, value)); return }
        if let i = members.firstIndex(where: { $0.0 == key }), case .object(var inner) = members[i].1 {
            insert(&inner, path.dropFirst(), value)
            members[i].1 = .object(inner)
        } else {
            var inner: [(String, JSONValue)] = []
            insert(&inner, path.dropFirst(), value)
            members.append((key, .object(inner)))
        }
    }
}
