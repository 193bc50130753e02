import Foundation

/// The JSON form of the protocol's documents (receipts, manifests) as this gateway writes them and
/// stores them: keys sorted, slashes unescaped — the same bytes whether answered or stored.
public enum WireJSON {
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
