/// Reads a regional JSON document — one top-level object whose header members come first and whose
/// records sit in one array member — a record at a time.
public final class JSONDocumentReader {
    let parser: JSONParser
    let recordsKey: String
    private var inRecords = false
    private var finished = false
    /// Header members read so far (before the records array, and after it once `nextRecord` is done).
    public private(set) var header: [(String, JSONValue)] = []

    public init(reader: ByteReader, recordsKey: String) {
        self.parser = JSONParser(reader: reader)
        self.recordsKey = recordsKey
    }

    /// Reads the header up to the start of the records array.
    public func open() throws(DocumentError) {
        try parser.expect(UInt8(ascii: "{"), "a JSON object (the document)")
        if parser.peekSignificant() == UInt8(ascii: "}") {
            throw parser.fail("the document has no \"\(recordsKey)\" array")
        }
        while true {
            let key = try parser.objectKey()
            if key == recordsKey {
                try parser.expect(UInt8(ascii: "["), "an array of records in \"\(recordsKey)\"")
                inRecords = true
                if parser.peekSignificant() == UInt8(ascii: "]") { _ = parser.reader.next(); try closeRecords() }
                return
            }
            guard !header.contains(where: { $0.0 == key }) else { throw parser.fail("the key \"\(key.prefix(64))\" appears twice in the header") }
            header.append((key, try parser.value(depth: 1)))
            guard let sep = parser.peekSignificant() else { throw parser.fail("the document ends inside its header") }
            _ = parser.reader.next()
            if sep == UInt8(ascii: "}") { throw parser.fail("the document has no \"\(recordsKey)\" array") }
            guard sep == UInt8(ascii: ",") else { throw parser.fail("expected ',' or '}' in the document, found \(JSONParser.show(sep))") }
        }
    }

    /// The line the next record starts on (for messages).
    public var line: Int { parser.reader.line }

    /// The next record, or nil after the last one (the rest of the document is then read and checked).
    public func nextRecord() throws(DocumentError) -> JSONValue? {
        guard inRecords else { return nil }
        let record = try parser.value(depth: 2)
        guard let sep = parser.peekSignificant() else { throw parser.fail("the document ends inside the records array") }
        _ = parser.reader.next()
        if sep == UInt8(ascii: "]") {
            try closeRecords()
        } else if sep != UInt8(ascii: ",") {
            throw parser.fail("expected ',' or ']' between records, found \(JSONParser.show(sep))")
        }
        return record
    }

    private func closeRecords() throws(DocumentError) {
        inRecords = false
        while true {
            guard let sep = parser.peekSignificant() else { throw parser.fail("the document ends before its closing '}'") }
            _ = parser.reader.next()
            if sep == UInt8(ascii: "}") { break }
            guard sep == UInt8(ascii: ",") else { throw parser.fail("expected ',' or '}' after the records, found \(JSONParser.show(sep))") }
            let key = try parser.objectKey()
            guard key != recordsKey, !header.contains(where: { $0.0 == key }) else { throw parser.fail("the key \"\(key.prefix(64))\" appears twice in the document") }
            header.append((key, try parser.value(depth: 1)))
        }
        guard parser.peekSignificant() == nil else { throw parser.fail("text after the end of the document") }
        finished = true
    }
}

/// Writes a regional JSON document: the header members, then the records one at a time, with the
/// two-space indentation of the specifications' examples.
public final class JSONDocumentWriter {
    let out: ByteWriter
    let recordsKey: String
    private var count = 0

    public init(out: ByteWriter, recordsKey: String) {
        self.out = out
        self.recordsKey = recordsKey
    }

    public func begin(header: [(String, JSONValue)]) {
        out.write("{\n")
        for (key, value) in header {
            out.write("  ")
            JSONText.write(.string(key), to: out, indent: 1)
            out.write(": ")
            JSONText.write(value, to: out, indent: 1)
            out.write(",\n")
        }
        out.write("  ")
        JSONText.write(.string(recordsKey), to: out, indent: 1)
        out.write(": [")
    }

    public func write(record: JSONValue) {
        out.write(count == 0 ? "\n    " : ",\n    ")
        JSONText.write(record, to: out, indent: 2)
        count += 1
    }

    public func end() {
        out.write(count == 0 ? "]\n}\n" : "\n  ]\n}\n")
        out.flush()
    }
}

/// JSON text of a value: UTF-8, no escaping beyond what RFC 8259 requires.
public enum JSONText {
    public static func write(_ value: JSONValue, to out: ByteWriter, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1), closePad = String(repeating: "  ", count: indent)
        switch value {
        case .null: out.write("null")
        case .bool(let b): out.write(b ? "true" : "false")
        case .number(let n): out.write(n)
        case .string(let s): out.write(escaped(s))
        case .array(let items):
            if items.isEmpty { out.write("[]"); return }
            out.write("[\n")
            for (i, item) in items.enumerated() {
                out.write(pad)
                write(item, to: out, indent: indent + 1)
                out.write(i == items.count - 1 ? "\n" : ",\n")
            }
            out.write(closePad + "]")
        case .object(let members):
            if members.isEmpty { out.write("{}"); return }
            out.write("{\n")
            for (i, (key, item)) in members.enumerated() {
                out.write(pad + escaped(key) + ": ")
                write(item, to: out, indent: indent + 1)
                out.write(i == members.count - 1 ? "\n" : ",\n")
            }
            out.write(closePad + "}")
        }
    }

    public static func escaped(_ s: String) -> String {
        var r = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case "\n": r += "\\n"
            case "\r": r += "\\r"
            case "\t": r += "\\t"
            case let c where c.value < 0x20:
                r += "\\u" + String(repeating: "0", count: 4 - String(c.value, radix: 16).count) + String(c.value, radix: 16)
            default: r.unicodeScalars.append(scalar)
            }
        }
        return r + "\""
    }
}
