/// The records of an input document, whatever its syntax.
public protocol RecordInput: AnyObject {
    /// Reads the header; returns how it spells the agency the records come from.
    func open() throws(DocumentError) -> String?
    /// A header value as the document spells it (after `open`), nil when absent.
    func header(_ name: String) -> String?
    func next() throws(DocumentError) -> (any RecordSource)?
    /// Reads past the next record, checking its syntax only; false at the end.
    func skip() throws(DocumentError) -> Bool
    var line: Int { get }
}

/// An output document being written, whatever its syntax.
public protocol RecordOutput: AnyObject {
    func begin(sender: String, created: String)
    func write(_ pairs: [([String], WrittenValue)])
    func end()
}

extension FormatMapping {
    public func input(_ bytes: ByteReader) -> any RecordInput {
        switch syntax {
        case .json: JSONInput(JSONDocumentReader(reader: bytes, recordsKey: document.records), sender: document.sender)
        case .xml: XMLInput(XMLDocumentReader(reader: bytes, root: document.root!, namespace: document.namespace, recordElement: document.records),
                            sender: document.sender)
        }
    }

    public func output(_ out: ByteWriter) -> any RecordOutput {
        switch syntax {
        case .json: JSONOutput(JSONDocumentWriter(out: out, recordsKey: document.records), document: document)
        case .xml: XMLOutput(XMLDocumentWriter(out: out, root: document.root!, namespace: document.namespace, encoding: encoding), document: document)
        }
    }
}

final class JSONInput: RecordInput {
    let reader: JSONDocumentReader
    let sender: String
    /// Records read before the header was complete (a header member after the records: JSON's
    /// member order has no meaning), given out before the reader's next ones.
    private var held: [JSONValue] = []
    init(_ reader: JSONDocumentReader, sender: String) { self.reader = reader; self.sender = sender }
    func open() throws(DocumentError) -> String? {
        try reader.open()
        if header(sender) == nil {
            // The sender follows the records: they are held as values until the document's end.
            while let record = try reader.nextRecord() { held.append(record) }
            held.reverse()
        }
        return header(sender)
    }
    func header(_ name: String) -> String? {
        if case .string(let s)? = reader.header.first(where: { $0.0 == name })?.1 { return s }
        return nil
    }
    func next() throws(DocumentError) -> (any RecordSource)? {
        if let record = held.popLast() { return record }
        return try reader.nextRecord()
    }
    func skip() throws(DocumentError) -> Bool {
        if held.popLast() != nil { return true }
        return try reader.nextRecord() != nil
    }
    var line: Int { reader.line }
}

final class XMLInput: RecordInput {
    let reader: XMLDocumentReader
    let sender: String
    init(_ reader: XMLDocumentReader, sender: String) { self.reader = reader; self.sender = String(sender.drop { $0 == "@" }) }
    func open() throws(DocumentError) -> String? {
        try reader.open()
        return header(sender)
    }
    func header(_ name: String) -> String? {
        let attribute = String(name.drop { $0 == "@" })
        return reader.header.first { $0.name == attribute }?.value
    }
    func next() throws(DocumentError) -> (any RecordSource)? { try reader.nextRecord() }
    func skip() throws(DocumentError) -> Bool { try reader.nextRecord(expand: false) != nil }
    var line: Int { reader.line }
}

final class JSONOutput: RecordOutput {
    let writer: JSONDocumentWriter
    let document: DocumentRule
    init(_ writer: JSONDocumentWriter, document: DocumentRule) { self.writer = writer; self.document = document }
    func begin(sender: String, created: String) {
        writer.begin(header: [(document.sender, .string(sender)), (document.created, .string(created))])
    }
    func write(_ pairs: [([String], WrittenValue)]) { writer.write(record: JSONValue.build(pairs)) }
    func end() { writer.end() }
}

final class XMLOutput: RecordOutput {
    let writer: XMLDocumentWriter
    let document: DocumentRule
    init(_ writer: XMLDocumentWriter, document: DocumentRule) { self.writer = writer; self.document = document }
    func begin(sender: String, created: String) {
        writer.begin(header: [.init(name: String(document.sender.drop { $0 == "@" }), value: sender),
                              .init(name: String(document.created.drop { $0 == "@" }), value: created)])
    }
    func write(_ pairs: [([String], WrittenValue)]) { writer.write(record: XMLElement.build(name: document.records, pairs)) }
    func end() { writer.end() }
}
