import Foundation

/// Whether a key as configured (the bytes of its file or variable, trimmed) is strong enough to
/// sign a pair's requests or seal payloads: at least 32 bytes, and not of very low entropy — not
/// one block of up to 8 bytes repeated (`aaaa…`, `abab…`, `12341234…`), not made of fewer than 10
/// distinct bytes, and at least 128 bits by the bytes' own frequencies (Shannon's estimate times
/// the length). 32 random bytes written as 64 hexadecimal digits (`gateway keys new`,
/// `openssl rand -hex 32`) give about 240 bits, as 44 base64 characters about 210.
///
/// ```swift
/// if let weakness = KeyStrength.weakness(of: Array("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8)) {
///     print(weakness)   // "is one byte repeated: …"
/// }
/// ```
public enum KeyStrength {
    /// The fewest bytes a key may have.
    public static let minimumBytes = 32
    /// The fewest bits the bytes' frequencies must estimate.
    public static let minimumBits = 128.0

    /// How a key is too weak, said for an operator; nil if it passes.
    public static func weakness(of key: [UInt8]) -> String? {
        guard key.count >= minimumBytes else { return "holds a key of \(key.count) bytes; at least \(minimumBytes) are required" }
        if let period = (1...8).first(where: { p in (p..<key.count).allSatisfy { key[$0] == key[$0 - p] } }) {
            return period == 1 ? "is one byte repeated: not a key" : "is a block of \(period) bytes repeated: not a key"
        }
        var counts = [Int](repeating: 0, count: 256)
        for byte in key { counts[Int(byte)] += 1 }
        let distinct = counts.filter { $0 > 0 }.count
        guard distinct >= 10 else { return "is made of only \(distinct) different bytes: not random" }
        let n = Double(key.count)
        let bits = counts.filter { $0 > 0 }.reduce(0.0) { sum, c in sum - Double(c) / n * log2(Double(c) / n) } * n
        guard bits >= minimumBits else { return "holds about \(Int(bits)) bits by its bytes' frequencies; at least \(Int(minimumBits)) are required" }
        return nil
    }

    /// How to make a key that passes, for the messages that refuse one.
    public static let howToMake = "make one with `gateway keys new <file>` (32 random bytes as 64 hexadecimal digits, owner-only)"
}
