/// Compact JSON written as it is described, without building a `JSONValue` first: the bytes are
/// those `JSONText.writeCompact` gives for the value the same calls describe. For the exchange
/// profile's records, which every sender and receiver encode once per record for its digest.
///
/// ```swift
/// var j = CompactJSONWriter(out)
/// j.object { j in
///     j.member("id", "V-1")
///     j.key("tags"); j.array { j in j.string("a"); j.string("b") }
/// }   // {"id":"V-1","tags":["a","b"]}
/// ```
///
/// Member names are literals and are written as they are: they must need no escaping.
public struct CompactJSONWriter: JSONDescribing {
    public let out: ByteWriter
    /// Whether the next value or member follows another in the same array or object.
    private var follows = false

    public init(_ out: ByteWriter) { self.out = out }

    @inline(__always)
    private mutating func separate() {
        if follows { out.write(byte: UInt8(ascii: ",")) }
    }

    /// An object, its members written by `members`.
    @inline(__always)
    public mutating func object(_ members: (inout CompactJSONWriter) -> Void) {
        container(UInt8(ascii: "{"), UInt8(ascii: "}"), members)
    }

    /// An array, its items written by `items`.
    @inline(__always)
    public mutating func array(_ items: (inout CompactJSONWriter) -> Void) {
        container(UInt8(ascii: "["), UInt8(ascii: "]"), items)
    }

    @inline(__always)
    private mutating func container(_ open: UInt8, _ close: UInt8, _ content: (inout CompactJSONWriter) -> Void) {
        separate()
        out.write(byte: open)
        follows = false
        content(&self)
        out.write(byte: close)
        follows = true
    }

    /// A member's name; its value is what is written next.
    @inline(__always)
    public mutating func key(_ name: String) {
        separate()
        out.write(byte: UInt8(ascii: "\""))
        out.write(name.utf8)
        out.write(byte: UInt8(ascii: "\""))
        out.write(byte: UInt8(ascii: ":"))
        follows = false
    }

    @inline(__always)
    public mutating func string(_ value: String) {
        separate()
        JSONText.writeEscaped(value, to: out)
        follows = true
    }

    /// A number, already written as JSON writes it (`JSONValue.number`).
    @inline(__always)
    public mutating func number(_ text: String) {
        separate()
        out.write(text.utf8)
        follows = true
    }

}
