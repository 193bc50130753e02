/// One element of an XML record: local name, namespace, attributes in order, child elements, and
/// its own text (text and CDATA joined; these formats never mix text and elements).
public struct XMLElement: Hashable, Sendable {
    public var name: String
    public var namespace: String?
    public var attributes: [Attribute]
    public var children: [XMLElement]
    public var text: String

    public struct Attribute: Hashable, Sendable {
        public var name: String
        public var value: String
        public init(name: String, value: String) { self.name = name; self.value = value }
    }

    public init(name: String, namespace: String? = nil, attributes: [Attribute] = [], children: [XMLElement] = [], text: String = "") {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    public func attribute(_ name: String) -> String? { attributes.first { $0.name == name }?.value }

    /// The elements at a path of child names, the last step possibly matching several.
    public func elements(at path: ArraySlice<String>) -> [XMLElement] {
        guard let step = path.first else { return [self] }
        let matches = children.filter { $0.name == step }
        if path.count == 1 { return matches }
        return matches.first?.elements(at: path.dropFirst()) ?? []
    }
}

extension XMLElement: RecordSource {
    /// `a/b` is the text of element b in a; `a/@c` is attribute c of a; `@c` an attribute of the record.
    public func raw(at path: [String]) -> RawValue {
        if let last = path.last, last.hasPrefix("@") {
            guard let owner = elements(at: path.dropLast()[...]).first, let value = owner.attribute(String(last.dropFirst())) else { return .absent }
            return .text(value)
        }
        let found = elements(at: path[...])
        switch found.count {
        case 0: return .absent
        case 1: return found[0].children.isEmpty ? .text(found[0].text) : .other("an element with elements inside")
        default: return .items(found)
        }
    }

    public func items(at path: [String]) -> [any RecordSource]? { elements(at: path[...]) }
}
