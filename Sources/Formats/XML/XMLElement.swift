/// One element of an XML record: local name, namespace, attributes in order, child elements, and
/// its own text (text and CDATA joined; these formats never mix text and elements, so an element
/// with elements keeps text only when it is more than white space, for the exchange form to refuse).
public struct XMLElement: Hashable, Sendable {
    public var name: String
    public var namespace: String?
    public var attributes: [Attribute]
    public var children: [XMLElement]
    public var text: String

    public struct Attribute: Hashable, Sendable {
        public var name: String
        public var value: String
        /// The attribute's namespace, when it has a prefix (`xsi:type`); none for plain attributes.
        public var namespace: String?
        public init(name: String, value: String, namespace: String? = nil) { self.name = name; self.value = value; self.namespace = namespace }
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
        guard let last = path.last else { return .text(text) }
        if last.utf8.first == UInt8(ascii: "@") {
            return Self.find(self, path.dropLast()[...], attribute: last.utf8.dropFirst())
        }
        return Self.find(self, path[...], attribute: nil)
    }

    /// Walks the path borrowing each element rather than copying it (lookups are on the hot path).
    private static func find(_ e: borrowing XMLElement, _ path: ArraySlice<String>, attribute: Substring.UTF8View?) -> RawValue {
        guard let step = path.first else {
            if let attribute {
                for a in e.attributes where a.name.utf8.elementsEqual(attribute) { return .text(a.value) }
                return .absent
            }
            return e.children.isEmpty ? .text(e.text) : .other("an element with elements inside")
        }
        var first = -1
        for i in e.children.indices where e.children[i].name == step {
            if first < 0 {
                first = i
                if path.count > 1 || attribute != nil { break }
            } else {
                // Several elements at the end of the path are a list (Actiris titles).
                return .items(e.children.filter { $0.name == step })
            }
        }
        guard first >= 0 else { return .absent }
        return find(e.children[first], path.dropFirst(), attribute: attribute)
    }

    public func items(at path: [String]) -> [any RecordSource]? { elements(at: path[...]) }
}
