/// Reads a regional JSON document — one top-level object whose header members come first and whose
/// records sit in one array member — a record at a time.
public final class JSONDocumentReader {
    let parser: JSONParser
    let recordsKey: String
    private var inRecords = false
    private var finished = false
    /// Header members read so far (before the records array, and after it once `nextRecord` is done).
    public private(set) var header: [(String, JSONValue)] = []
    /// The values one record may hold, itself and every member and item inside it: far above any
    /// record of the profile or a regional format (some dozens), far below what fills memory.
    public var valuesPerRecord = 10_000

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
        parser.budget.limit = valuesPerRecord
        parser.budget.left = valuesPerRecord
        let record = try parser.value(depth: 2)
        parser.budget.left = Int.max
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
    /// Each record on one line, without white space (the exchange's wire form: smaller, and faster
    /// to write and read); else indented as the specifications' examples are.
    let compactRecords: Bool
    private var count = 0

    public init(out: ByteWriter, recordsKey: String, compactRecords: Bool = false) {
        self.out = out
        self.recordsKey = recordsKey
        self.compactRecords = compactRecords
    }

    public func begin(header: [(String, JSONValue)]) {
        out.write("{\n")
        for (key, value) in header {
            out.write("  ")
            JSONText.writeEscaped(key, to: out)
            out.write(": ")
            JSONText.write(value, to: out, indent: 1)
            out.write(",\n")
        }
        out.write("  ")
        JSONText.writeEscaped(recordsKey, to: out)
        out.write(": [")
    }

    public func write(record: JSONValue) {
        out.write((count == 0 ? "\n    " : ",\n    ").utf8)
        if compactRecords { JSONText.writeCompact(record, to: out) } else { JSONText.write(record, to: out, indent: 2) }
        count += 1
    }

    /// A record already written compact (`JSONText.writeCompact`), as its bytes.
    public func write(compactRecord bytes: [UInt8]) {
        precondition(compactRecords, "a compact record in a document written indented")
        out.write((count == 0 ? "\n    " : ",\n    ").utf8)
        out.write(bytes)
        count += 1
    }

    public func end() {
        out.write(count == 0 ? "]\n}\n" : "\n  ]\n}\n")
        out.flush()
    }
}

/// JSON text of a value: UTF-8, no escaping beyond what RFC 8259 requires, written as bytes.
public enum JSONText {
    static let indents: [[UInt8]] = (0..<66).map { Array(repeating: UInt8(ascii: " "), count: 2 * $0) }

    public static func write(_ value: JSONValue, to out: ByteWriter, indent: Int) {
        switch value {
        case .null: out.write("null".utf8)
        case .bool(let b): out.write((b ? "true" : "false").utf8)
        case .number(let n): out.write(n.utf8)
        case .string(let s): writeEscaped(s, to: out)
        case .array(let items):
            if items.isEmpty { out.write("[]".utf8); return }
            out.write(byte: UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                out.write(i == 0 ? newline : commaNewline)
                out.write(indents[min(indent + 1, 65)])
                write(item, to: out, indent: indent + 1)
            }
            out.write(newline)
            out.write(indents[min(indent, 65)])
            out.write(byte: UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty { out.write("{}".utf8); return }
            out.write(byte: UInt8(ascii: "{"))
            for (i, (key, item)) in members.enumerated() {
                out.write(i == 0 ? newline : commaNewline)
                out.write(indents[min(indent + 1, 65)])
                writeEscaped(key, to: out)
                out.write(colon)
                write(item, to: out, indent: indent + 1)
            }
            out.write(newline)
            out.write(indents[min(indent, 65)])
            out.write(byte: UInt8(ascii: "}"))
        }
    }

    /// Without white space: for digests and wire bodies.
    public static func writeCompact(_ value: JSONValue, to out: ByteWriter) {
        switch value {
        case .null, .bool, .number, .string: write(value, to: out, indent: 0)
        case .array(let items):
            out.write(byte: UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.write(byte: UInt8(ascii: ",")) }
                writeCompact(item, to: out)
            }
            out.write(byte: UInt8(ascii: "]"))
        case .object(let members):
            out.write(byte: UInt8(ascii: "{"))
            for (i, (key, item)) in members.enumerated() {
                if i > 0 { out.write(byte: UInt8(ascii: ",")) }
                writeEscaped(key, to: out)
                out.write(byte: UInt8(ascii: ":"))
                writeCompact(item, to: out)
            }
            out.write(byte: UInt8(ascii: "}"))
        }
    }

    static let newline: [UInt8] = [10], commaNewline: [UInt8] = [44, 10], colon: [UInt8] = [58, 32]

    /// A JSON string: `"`, `\` and control characters escaped, everything else as its UTF-8 bytes.
    public static func writeEscaped(_ s: String, to out: ByteWriter) {
        out.write(byte: UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            // Most strings have nothing to escape: one copy.
            if !bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { out.write(bytes); return }
            var start = 0
            for (i, b) in bytes.enumerated() where b < 0x20 || b == 0x22 || b == 0x5C {
                if start < i { out.write(UnsafeBufferPointer(rebasing: bytes[start..<i])) }
                switch b {
                case 0x22: out.write("\\\"".utf8)
                case 0x5C: out.write("\\\\".utf8)
                case 0x0A: out.write("\\n".utf8)
                case 0x0D: out.write("\\r".utf8)
                case 0x09: out.write("\\t".utf8)
                default:
                    let hex = String(b, radix: 16)
                    out.write(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                }
                start = i + 1
            }
            if start < bytes.count { out.write(UnsafeBufferPointer(rebasing: bytes[start..<bytes.count])) }
        }
        out.write(byte: UInt8(ascii: "\""))
    }

    /// The escaped form as a string (for messages and tests).
    public static func escaped(_ s: String) -> String {
        let out = ByteWriter()
        writeEscaped(s, to: out)
        out.flush()
        return String(decoding: out.collected, as: UTF8.self)
    }
}
