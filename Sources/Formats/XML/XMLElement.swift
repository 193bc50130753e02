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
    /// The first element at a path of child names, without collecting the others.
    func firstElement(at path: ArraySlice<String>) -> XMLElement? {
        guard let step = path.first else { return self }
        for child in children where child.name == step {
            return path.count == 1 ? child : child.firstElement(at: path.dropFirst())
        }
        return nil
    }

    /// `a/b` is the text of element b in a; `a/@c` is attribute c of a; `@c` an attribute of the record.
    public func raw(at path: [String]) -> RawValue {
        if let last = path.last, last.utf8.first == UInt8(ascii: "@") {
            guard let owner = firstElement(at: path.dropLast()[...]), let value = owner.attribute(String(last.dropFirst())) else { return .absent }
            return .text(value)
        }
        guard let first = firstElement(at: path[...]) else { return .absent }
        // Several elements at the path are a list (Actiris titles); one is a value.
        let parent = path.count > 1 ? firstElement(at: path.dropLast()[...]) : self
        if let parent, parent.children.lazy.filter({ $0.name == path.last! }).dropFirst().first != nil {
            return .items(elements(at: path[...]))
        }
        return first.children.isEmpty ? .text(first.text) : .other("an element with elements inside")
    }

    public func items(at path: [String]) -> [any RecordSource]? { elements(at: path[...]) }
}
