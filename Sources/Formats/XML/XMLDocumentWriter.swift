/// Writes a regional XML document: the prolog in the format's encoding, the root element with the
/// header attributes, then the records one at a time. Text is escaped (never CDATA); in ISO-8859-1
/// a character the encoding cannot hold is written as a character reference.
public final class XMLDocumentWriter {
    let out: ByteWriter
    let root: String
    let namespace: String?
    let latin1: Bool

    public init(out: ByteWriter, root: String, namespace: String?, encoding: String) {
        self.out = out
        self.root = root
        self.namespace = namespace
        self.latin1 = encoding == "ISO-8859-1"
    }

    private var container: String?

    /// Starts the document; `elements` come before the records, which sit in `container` if given.
    public func begin(header: [XMLElement.Attribute], elements: [XMLElement] = [], container: String? = nil) {
        write("<?xml version=\"1.0\" encoding=\"\(latin1 ? "ISO-8859-1" : "UTF-8")\"?>\n<\(root)")
        if let namespace { write(" xmlns=\"\(Self.escape(namespace, attribute: true))\"") }
        for a in header { write(" \(a.name)=\"\(Self.escape(a.value, attribute: true))\"") }
        write(">\n")
        for e in elements { element(e, indent: 1) }
        self.container = container
        if let container { write("  <\(container)>\n") }
    }

    public func write(record: XMLElement) {
        element(record, indent: container == nil ? 1 : 2)
    }

    public func end() {
        if let container { write("  </\(container)>\n") }
        write("</\(root)>\n")
        out.flush()
    }

    static let pads: [String] = (0..<32).map { String(repeating: "  ", count: $0) }

    /// Piece by piece into the output, without building the element's text first.
    private func element(_ e: XMLElement, indent: Int) {
        let pad = Self.pads[min(indent, 31)]
        write(pad); out.write(byte: UInt8(ascii: "<")); write(e.name)
        for a in e.attributes {
            out.write(byte: UInt8(ascii: " ")); write(a.name); out.write(byte: UInt8(ascii: "=")); out.write(byte: UInt8(ascii: "\""))
            write(Self.escape(a.value, attribute: true)); out.write(byte: UInt8(ascii: "\""))
        }
        if e.children.isEmpty {
            if e.text.isEmpty { write("/>\n"); return }
            out.write(byte: UInt8(ascii: ">")); write(Self.escape(e.text, attribute: false))
            write("</"); write(e.name); write(">\n")
            return
        }
        write(">\n")
        for c in e.children { element(c, indent: indent + 1) }
        write(pad); write("</"); write(e.name); write(">\n")
    }

    /// In ISO-8859-1, one byte per character up to U+00FF, a character reference beyond (ASCII
    /// text, most of it, is the same bytes in both).
    private func write(_ text: String) {
        var text = text
        guard latin1, !text.withUTF8({ $0.allSatisfy { $0 < 0x80 } }) else { text.withUTF8 { out.write($0) }; return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.value <= 0xFF {
                bytes.append(UInt8(scalar.value))
            } else {
                bytes.append(contentsOf: "&#x\(String(scalar.value, radix: 16, uppercase: true));".utf8)
            }
        }
        out.write(bytes)
    }

    static func escape(_ s: String, attribute: Bool) -> String {
        // Most values have nothing to escape: they are returned as they are.
        var text = s
        guard text.withUTF8({ $0.contains { b in
            b == UInt8(ascii: "&") || b == UInt8(ascii: "<") || b == UInt8(ascii: ">") || b == 0x0D
                || (attribute && (b == UInt8(ascii: "\"") || b == 0x0A || b == 0x09))
        } }) else { return s }
        var r = ""
        r.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": r += "&amp;"
            case "<": r += "&lt;"
            case ">": r += "&gt;"
            case "\"" where attribute: r += "&quot;"
            case "\n" where attribute: r += "&#10;"
            case "\r": r += "&#13;"
            case "\t" where attribute: r += "&#9;"
            default: r.unicodeScalars.append(c)
            }
        }
        return r
    }
}

extension XMLElement {
    /// Builds a record element from (path, value) pairs: `a/b` creates or reuses element a and sets
    /// the text of b; `a/@c` sets attribute c of a; `@c` an attribute of the record; an empty path
    /// the record's own text. Items become one element each at their path.
    public static func build(name: String, _ pairs: [([String], WrittenValue)]) -> XMLElement {
        var element = XMLElement(name: name)
        for (path, value) in pairs { element.insert(path[...], value) }
        return element
    }

    mutating func insert(_ path: ArraySlice<String>, _ value: WrittenValue) {
        guard let step = path.first else {
            if case .text(let t) = value { text = t } else if case .number(let n) = value { text = n }
            return
        }
        if path.count == 1 {
            if step.hasPrefix("@") {
                let v: String
                switch value {
                case .text(let t), .number(let t): v = t
                case .bool(let b): v = b ? "true" : "false"
                case .null, .items: return
                }
                attributes.append(.init(name: String(step.dropFirst()), value: v))
                return
            }
            if case .items(let items) = value {
                for item in items { children.append(XMLElement.build(name: step, item)) }
                return
            }
            // An element that an attribute created already (employeur/@bce) takes its text here.
            if let i = children.lastIndex(where: { $0.name == step }), children[i].text.isEmpty, children[i].children.isEmpty {
                children[i].insert([], value)
                return
            }
            var child = XMLElement(name: step)
            child.insert([], value)
            children.append(child)
            return
        }
        if let i = children.lastIndex(where: { $0.name == step }), path.count > 1 {
            children[i].insert(path.dropFirst(), value)
        } else {
            var child = XMLElement(name: step)
            child.insert(path.dropFirst(), value)
            children.append(child)
        }
    }
}
