import CLibXML2
import Foundation
import Model

/// Reads a regional XML document a record at a time through libxml2's stream reader: the root
/// element's attributes are the header, each child element named `recordElement` one record. A
/// DOCTYPE or an entity reference stops the document (no DTD is loaded, no entity expanded), as
/// does a wrong root element or namespace.
///
/// A record is built node by node as the stream goes (libxml2 never holds its tree), within the
/// `XMLLimits`: past any of them the document is refused, saying which — so that one record of
/// millions of empty elements costs what the limit allows, not gigabytes.
public final class XMLDocumentReader {
    /// What one record (or header element) may hold.
    public var limits = XMLLimits()
    private let input: Input
    private var reader: xmlTextReaderPtr?
    let root: String
    let namespace: String?
    var recordElement: String
    /// The element holding the records, when they are not the root's children (`Records`).
    let container: String?
    /// The root element's attributes.
    public private(set) var header: [XMLElement.Attribute] = []
    /// Other elements of the root before the records (the exchange batch's `Taxonomy`).
    public private(set) var headerElements: [XMLElement] = []
    private var finished = false

    /// Where the bytes come from; libxml2 pulls them through a C callback.
    final class Input {
        let source: ByteReader
        init(_ source: ByteReader) { self.source = source }
    }

    public init(reader source: ByteReader, root: String, namespace: String?, recordElement: String, container: String? = nil) {
        self.input = Input(source)
        self.root = root
        self.namespace = namespace
        self.recordElement = recordElement
        self.container = container
    }

    deinit {
        if let reader { xmlFreeTextReader(reader) }
    }

    public var line: Int { reader.map { Int(xmlTextReaderGetParserLineNumber($0)) } ?? 0 }

    private func fail(_ message: String) -> DocumentError { DocumentError(line: line, message) }

    private func libxmlFault() -> DocumentError {
        if let error = xmlGetLastError(), let message = error.pointee.message {
            let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
            // libxml2's own bound on one text or attribute (XML_MAX_TEXT_LENGTH), said plainly.
            if text.contains("huge text node") || text.contains("Huge input lookup") {
                return DocumentError(line: Int(error.pointee.line), "a text or attribute longer than 10000000 bytes (libxml2's limit: \(text))")
            }
            return DocumentError(line: Int(error.pointee.line), "not well-formed XML: \(text)")
        }
        return fail("not well-formed XML")
    }

    public func open() throws(DocumentError) {
        xmlResetLastError()
        let context = Unmanaged.passUnretained(input).toOpaque()
        let read: xmlInputReadCallback = { context, buffer, length in
            guard let context, let buffer else { return -1 }
            let source = Unmanaged<Input>.fromOpaque(context).takeUnretainedValue().source
            return Int32(source.read(into: buffer, count: Int(length)))
        }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        reader = xmlReaderForIO(read, nil, context, nil, nil, options)
        guard reader != nil else { throw fail("the XML reader could not start") }
        while true {
            try step()
            let type = xmlTextReaderNodeType(reader)
            guard type == Int32(XML_READER_TYPE_ELEMENT.rawValue) else { continue }
            let name = localName()
            guard name == root else { throw fail("the root element is <\(name)>, expected <\(root)>") }
            let ns = xmlTextReaderConstNamespaceUri(reader).map { String(cString: $0) }
            guard ns == namespace else {
                throw fail("<\(root)> is in namespace \(ns.map { "'\($0)'" } ?? "none"), expected \(namespace.map { "'\($0)'" } ?? "none")")
            }
            var attributes: [XMLElement.Attribute] = []
            while xmlTextReaderMoveToNextAttribute(reader) == 1 {
                guard xmlTextReaderIsNamespaceDecl(reader) == 0 else { continue }
                attributes.append(.init(name: localName(), value: xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? "",
                                        namespace: xmlTextReaderConstNamespaceUri(reader).map { String(cString: $0) }))
            }
            header = attributes
            xmlTextReaderMoveToElement(reader)
            if xmlTextReaderIsEmptyElement(reader) == 1 { finished = true }
            return
        }
    }

    /// Advances one node; refuses DTDs and entity references on the way.
    private func step() throws(DocumentError) {
        let result = xmlTextReaderRead(reader)
        if result < 0 { throw libxmlFault() }
        if result == 0 { throw fail("the document ends before its root element closes") }
        try check()
    }

    private func check() throws(DocumentError) {
        switch xmlTextReaderNodeType(reader) {
        case Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue): throw fail("a DOCTYPE is not accepted: these documents have no DTD")
        case Int32(XML_READER_TYPE_ENTITY_REFERENCE.rawValue): throw fail("an entity reference is not accepted")
        default: break
        }
    }

    private func localName() -> String { xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? "" }

    /// The node's namespace URI. libxml2 interns it, so the string made for the last pointer seen
    /// is used again (an element's URI is too long to be a small string: one allocation each).
    private func namespaceURI() -> String? {
        guard let uri = xmlTextReaderConstNamespaceUri(reader) else { return nil }
        if uri == lastNamespace.pointer { return lastNamespace.text }
        let text = String(cString: uri)
        lastNamespace = (uri, text)
        return text
    }

    private var lastNamespace: (pointer: UnsafePointer<xmlChar>?, text: String) = (nil, "")

    /// The next record, or nil once the root element closes (the rest of the document is checked).
    /// With `expand: false` the record is only parsed and checked (libxml2 reads it whole), not
    /// turned into an element: an empty element of the record's name stands for it.
    public func nextRecord(expand: Bool = true) throws(DocumentError) -> XMLElement? {
        guard !finished else { return nil }
        while true {
            if pendingElement { pendingElement = false } else { try step() }
            let type = xmlTextReaderNodeType(reader)
            if type == Int32(XML_READER_TYPE_END_ELEMENT.rawValue) && xmlTextReaderDepth(reader) == 0 {
                try finish()
                return nil
            }
            let depth = Int(xmlTextReaderDepth(reader))
            if type == Int32(XML_READER_TYPE_TEXT.rawValue) || type == Int32(XML_READER_TYPE_CDATA.rawValue), depth <= recordDepth {
                throw fail("text directly inside <\(depth == 1 ? root : container ?? root)>: it holds elements only")
            }
            guard type == Int32(XML_READER_TYPE_ELEMENT.rawValue), depth == recordDepth || depth == 1 else { continue }
            let name = localName()
            if let container, depth == 1 {
                if name == container {
                    if xmlTextReaderIsEmptyElement(reader) == 1 { continue }
                    continue
                }
                headerElements.append(try readElement(build: true))
                try stepPast()
                pendingElement = true   // standing on the node after it: look at that one first
                continue
            }
            guard name == recordElement else {
                throw fail("<\(name)> inside <\(container ?? root)>: expected <\(recordElement)> elements only")
            }
            let read = try readElement(build: expand)
            let element = expand ? read : XMLElement(name: recordElement)
            try stepPast()
            // Already standing on the node after the record: look at it before reading on.
            let after = xmlTextReaderNodeType(reader)
            if after == Int32(XML_READER_TYPE_END_ELEMENT.rawValue) && xmlTextReaderDepth(reader) == 0 {
                try finish()
            } else {
                pendingElement = true
            }
            return element
        }
    }

    /// From the end of an element just read to the node after it.
    private func stepPast() throws(DocumentError) {
        if xmlTextReaderRead(reader) < 0 { throw libxmlFault() }
        try check()
    }

    /// An element being built: its own text so far, and its bytes.
    private struct Open {
        var element: XMLElement
        var text = ""
        var textBytes = 0
    }

    /// Reads the element the reader stands on, to its end, node by node within the limits; builds
    /// it only when `build` (else only its name). Ends standing on its end (or on it, if empty).
    private func readElement(build: Bool) throws(DocumentError) -> XMLElement {
        let top = Int(xmlTextReaderDepth(reader)), outer = localName()
        var stack: [Open] = []
        var elements = 0
        /// Opens the element the reader stands on; true if it is empty (no end to wait for).
        func open() throws(DocumentError) -> Bool {
            elements += 1
            guard elements <= limits.elementsPerRecord else {
                throw fail("<\(outer)> holds more than \(limits.elementsPerRecord) elements (the limit of elements in one record)")
            }
            let depth = Int(xmlTextReaderDepth(reader)) - top + 1
            guard depth <= limits.depth else { throw fail("<\(outer)> nests elements more than \(limits.depth) deep (the limit of depth in one record)") }
            var element = XMLElement(name: localName())
            if build { element.namespace = namespaceURI() }
            var count = 0
            let attributed = xmlTextReaderHasAttributes(reader) == 1
            while attributed && xmlTextReaderMoveToNextAttribute(reader) == 1 {
                guard xmlTextReaderIsNamespaceDecl(reader) == 0 else { continue }
                count += 1
                guard count <= limits.attributesPerElement else {
                    throw fail("<\(element.name)> has more than \(limits.attributesPerElement) attributes (the limit of attributes on one element)")
                }
                let value = xmlTextReaderConstValue(reader)
                guard value.map({ strlen($0) }) ?? 0 <= limits.attributeBytes else {
                    throw fail("an attribute of <\(element.name)> is longer than \(limits.attributeBytes) bytes (the limit of an attribute)")
                }
                if build {
                    element.attributes.append(.init(name: localName(), value: value.map { String(cString: $0) } ?? "", namespace: namespaceURI()))
                }
            }
            xmlTextReaderMoveToElement(reader)
            stack.append(Open(element: element))
            return xmlTextReaderIsEmptyElement(reader) == 1
        }
        /// Closes the innermost element; the outer one when it is the last.
        func close() -> XMLElement? {
            var open = stack.removeLast()
            let kept = open.element.children.isEmpty || open.text.unicodeScalars.contains(where: { !isProfileWhitespace($0) })
            open.element.text = kept ? open.text : ""
            guard !stack.isEmpty else { return open.element }
            if build { stack[stack.count - 1].element.children.append(open.element) }
            return nil
        }
        if try open() { return close()! }
        while true {
            try step()
            switch xmlTextReaderNodeType(reader) {
            case Int32(XML_READER_TYPE_ELEMENT.rawValue):
                if try open() { _ = close() }
            case Int32(XML_READER_TYPE_TEXT.rawValue), Int32(XML_READER_TYPE_CDATA.rawValue), Int32(XML_READER_TYPE_WHITESPACE.rawValue),
                 Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue):
                let value = xmlTextReaderConstValue(reader)
                let bytes = value.map { strlen($0) } ?? 0
                stack[stack.count - 1].textBytes += bytes
                guard stack[stack.count - 1].textBytes <= limits.textBytes else {
                    throw fail("the text of <\(stack[stack.count - 1].element.name)> is longer than \(limits.textBytes) bytes (the limit of one element's text)")
                }
                if build, let value { stack[stack.count - 1].text += String(cString: value) }
            case Int32(XML_READER_TYPE_END_ELEMENT.rawValue):
                if let done = close() { return done }
            default:
                break
            }
        }
    }

    private var pendingElement = false
    private var recordDepth: Int { container == nil ? 1 : 2 }

    private func finish() throws(DocumentError) {
        finished = true
        while true {
            let result = xmlTextReaderRead(reader)
            if result < 0 { throw libxmlFault() }
            if result == 0 { return }
            try check()
            if xmlTextReaderNodeType(reader) == Int32(XML_READER_TYPE_ELEMENT.rawValue) { throw fail("an element after the root element") }
        }
    }

    static func convert(_ node: xmlNodePtr, line: Int) throws(DocumentError) -> XMLElement {
        var element = XMLElement(name: String(cString: node.pointee.name))
        element.namespace = node.pointee.ns?.pointee.href.map { String(cString: $0) }
        var attribute = node.pointee.properties
        while let a = attribute {
            var value = ""
            var child = a.pointee.children
            while let c = child {
                if let content = c.pointee.content { value += String(cString: content) }
                child = c.pointee.next
            }
            element.attributes.append(.init(name: String(cString: a.pointee.name), value: value,
                                            namespace: a.pointee.ns?.pointee.href.map { String(cString: $0) }))
            attribute = a.pointee.next
        }
        var child = node.pointee.children
        var text = ""
        while let c = child {
            switch c.pointee.type {
            case XML_ELEMENT_NODE: element.children.append(try convert(c, line: line))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE: if let content = c.pointee.content { text += String(cString: content) }
            case XML_ENTITY_REF_NODE: throw DocumentError(line: line, "an entity reference is not accepted")
            default: break
            }
            child = c.pointee.next
        }
        element.text = element.children.isEmpty || text.unicodeScalars.contains(where: { !isProfileWhitespace($0) }) ? text : ""
        return element
    }
}
