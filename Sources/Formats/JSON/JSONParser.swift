import Foundation

/// A strict JSON parser (RFC 8259) over a `ByteReader`: one value at a time, so that a document's
/// records can be read one by one. Duplicate keys, nesting deeper than `maximumDepth`, invalid
/// UTF-8, raw control characters in strings and malformed numbers are document errors, never
/// guesses. A lone surrogate escape is read as U+FFFF (see `string`).
public struct JSONParser {
    public let reader: ByteReader
    public var maximumDepth: Int
    public var maximumStringBytes: Int
    /// The values the value being read may still hold (`JSONDocumentReader` sets it for each
    /// record), so that a record of millions of empty objects is refused as it is read.
    let budget = ValueBudget()

    final class ValueBudget {
        var left = Int.max
        /// Said when the budget runs out: what the limit is.
        var limit = Int.max
    }

    public init(reader: ByteReader, maximumDepth: Int = 64, maximumStringBytes: Int = 1 << 20) {
        self.reader = reader
        self.maximumDepth = maximumDepth
        self.maximumStringBytes = maximumStringBytes
    }

    func fail(_ message: String) -> DocumentError { DocumentError(line: reader.line, message) }

    /// Skips white space and returns the next significant byte without consuming it.
    public func peekSignificant() -> UInt8? {
        while let b = reader.peek(), b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { _ = reader.next() }
        return reader.peek()
    }

    /// Consumes `byte` (after white space) or fails saying what was expected.
    public func expect(_ byte: UInt8, _ what: String) throws(DocumentError) {
        guard let b = peekSignificant() else { throw fail("the document ends where \(what) was expected") }
        guard b == byte else { throw fail("expected \(what), found \(Self.show(b))") }
        _ = reader.next()
    }

    public func value(depth: Int = 0) throws(DocumentError) -> JSONValue {
        guard depth <= maximumDepth else { throw fail("nesting deeper than \(maximumDepth) levels") }
        budget.left -= 1
        guard budget.left >= 0 else { throw fail("a record holds more than \(budget.limit) values (the limit of values in one record)") }
        guard let b = peekSignificant() else { throw fail("the document ends where a value was expected") }
        switch b {
        case UInt8(ascii: "{"):
            _ = reader.next()
            var members: [(String, JSONValue)] = []
            // Duplicate keys: a linear look for the few members a record's objects have, a set beyond.
            var keys: Set<String> = []
            if peekSignificant() == UInt8(ascii: "}") { _ = reader.next(); return .object(members) }
            // Room for the members of most objects at once, instead of growing 1, 2, 4, 8.
            members.reserveCapacity(8)
            while true {
                let key = try objectKey()
                let seen: Bool
                if members.count < 24 {
                    let length = key.utf8.count
                    seen = members.contains { $0.0.utf8.count == length && $0.0 == key }
                } else {
                    if keys.isEmpty { keys = Set(members.map(\.0)) }
                    seen = !keys.insert(key).inserted
                }
                guard !seen else { throw fail("the key \"\(key.prefix(64))\" appears twice in one object") }
                members.append((key, try value(depth: depth + 1)))
                guard let sep = peekSignificant() else { throw fail("the document ends inside an object") }
                _ = reader.next()
                if sep == UInt8(ascii: "}") { return .object(members) }
                guard sep == UInt8(ascii: ",") else { throw fail("expected ',' or '}' in an object, found \(Self.show(sep))") }
            }
        case UInt8(ascii: "["):
            _ = reader.next()
            var items: [JSONValue] = []
            if peekSignificant() == UInt8(ascii: "]") { _ = reader.next(); return .array(items) }
            items.reserveCapacity(4)
            while true {
                items.append(try value(depth: depth + 1))
                guard let sep = peekSignificant() else { throw fail("the document ends inside an array") }
                _ = reader.next()
                if sep == UInt8(ascii: "]") { return .array(items) }
                guard sep == UInt8(ascii: ",") else { throw fail("expected ',' or ']' in an array, found \(Self.show(sep))") }
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try number())
        default:
            throw fail("expected a value, found \(Self.show(b))")
        }
    }

    /// `"key":` inside an object.
    public func objectKey() throws(DocumentError) -> String {
        guard peekSignificant() == UInt8(ascii: "\"") else {
            throw fail("expected a member name in quotes, found \(reader.peek().map(Self.show) ?? "the end")")
        }
        let key = try string()
        try expect(UInt8(ascii: ":"), "':' after a member name")
        return key
    }

    private func literal(_ word: String) throws(DocumentError) {
        for expected in word.utf8 {
            guard reader.next() == expected else { throw fail("expected \(word)") }
        }
    }

    private func number() throws(DocumentError) -> String {
        var text: [UInt8] = []
        while let b = reader.peek(), (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2B || b == 0x2E || b == 0x65 || b == 0x45 {
            text.append(b)
            _ = reader.next()
            guard text.count <= 64 else { throw fail("a number longer than 64 characters") }
        }
        let s = String(decoding: text, as: UTF8.self)
        guard Self.isJSONNumber(text) else { throw fail("'\(s)' is not a JSON number") }
        return s
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    static func isJSONNumber(_ t: [UInt8]) -> Bool {
        var i = 0
        func digits() -> Int { let s = i; while i < t.count, t[i] >= 0x30, t[i] <= 0x39 { i += 1 }; return i - s }
        if i < t.count, t[i] == 0x2D { i += 1 }
        guard i < t.count else { return false }
        if t[i] == 0x30 { i += 1 } else if digits() == 0 { return false }
        if i < t.count, t[i] == 0x2E { i += 1; if digits() == 0 { return false } }
        if i < t.count, t[i] == 0x65 || t[i] == 0x45 {
            i += 1
            if i < t.count, t[i] == 0x2B || t[i] == 0x2D { i += 1 }
            if digits() == 0 { return false }
        }
        return i == t.count
    }

    private func string() throws(DocumentError) -> String {
        _ = reader.next()   // opening quote
        switch reader.plainString(limit: maximumStringBytes) {
        case .text(let s): return s
        case .invalidUTF8: throw fail("a string is not valid UTF-8")
        case .other: break
        }
        var bytes: [UInt8] = []
        var wide = false
        while true {
            if reader.appendStringRun(to: &bytes) { wide = true }
            guard bytes.count <= maximumStringBytes else { throw fail("a string longer than \(maximumStringBytes) bytes") }
            guard let b = reader.next() else { throw fail("the document ends inside a string") }
            switch b {
            case 0x22:
                if !wide { return String(decoding: bytes, as: UTF8.self) }   // ASCII: valid as it is
                guard let s = String(validating: bytes, as: UTF8.self) else { throw fail("a string is not valid UTF-8") }
                return s
            case 0x5C:
                guard let e = reader.next() else { throw fail("the document ends inside a string") }
                guard e == UInt8(ascii: "u") else { try append(escape: e, to: &bytes); break }
                var scalar = try hex4()
                wide = wide || scalar >= 0x80
                // A surrogate pair is one character. A lone surrogate is valid JSON but no
                // character: it is read as U+FFFF, which XML 1.0 cannot hold either, so that the
                // record holding it is refused (INVALID_VALUE), not the document.
                while true {
                    guard (0xD800...0xDBFF).contains(scalar) else {
                        Self.append((0xDC00...0xDFFF).contains(scalar) ? 0xFFFF : scalar, to: &bytes)
                        break
                    }
                    guard reader.peek() == 0x5C else { Self.append(0xFFFF, to: &bytes); break }
                    _ = reader.next()
                    guard let following = reader.next() else { throw fail("the document ends inside a string") }
                    guard following == UInt8(ascii: "u") else {
                        Self.append(0xFFFF, to: &bytes)
                        try append(escape: following, to: &bytes)
                        break
                    }
                    let next = try hex4()
                    if (0xDC00...0xDFFF).contains(next) {
                        Self.append(0x10000 + ((scalar - 0xD800) << 10) + (next - 0xDC00), to: &bytes)
                        break
                    }
                    Self.append(0xFFFF, to: &bytes)
                    scalar = next   // which may begin a pair of its own
                }
            case 0x00..<0x20:
                throw fail("a control character in a string (write it as \\u escape)")
            default:
                bytes.append(b)
            }
            guard bytes.count <= maximumStringBytes else { throw fail("a string longer than \(maximumStringBytes) bytes") }
        }
    }

    /// A one-character escape (`\n`, `\"`, …) as its byte.
    private func append(escape e: UInt8, to bytes: inout [UInt8]) throws(DocumentError) {
        switch e {
        case 0x22, 0x5C, 0x2F: bytes.append(e)
        case UInt8(ascii: "b"): bytes.append(0x08)
        case UInt8(ascii: "f"): bytes.append(0x0C)
        case UInt8(ascii: "n"): bytes.append(0x0A)
        case UInt8(ascii: "r"): bytes.append(0x0D)
        case UInt8(ascii: "t"): bytes.append(0x09)
        default: throw fail("an unknown escape \\\(Self.show(e)) in a string")
        }
    }

    /// A scalar (not a surrogate) as UTF-8.
    private static func append(_ scalar: UInt32, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
    }

    private func hex4() throws(DocumentError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let h = reader.next() else { throw fail("the document ends inside a \\u escape") }
            switch h {
            case 0x30...0x39: v = v << 4 | UInt32(h - 0x30)
            case 0x41...0x46: v = v << 4 | UInt32(h - 0x37)
            case 0x61...0x66: v = v << 4 | UInt32(h - 0x57)
            default: throw fail("a \\u escape with a non-hex digit")
            }
        }
        return v
    }

    static func show(_ b: UInt8) -> String {
        (0x21...0x7E).contains(b) ? "'\(Character(Unicode.Scalar(b)))'" : String(format: "byte 0x%02X", b)
    }
}
