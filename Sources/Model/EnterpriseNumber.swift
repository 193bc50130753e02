/// A Belgian enterprise number (KBO/BCE): ten digits, the first 0 or 1, the last two a check on
/// the first eight (97 − (first eight mod 97)).
public struct EnterpriseNumber: Hashable, Sendable, CustomStringConvertible {
    /// The ten digits, no dots, no `BE` prefix: the profile's form.
    public let digits: String

    /// Reads any of the three spellings the regional formats use: `0403.170.701`, `0403170701`
    /// and the VAT form `BE0403170701`.
    public init(_ text: String, field: String = "enterpriseNumber") throws(FieldError) {
        guard !text.isEmpty else { throw FieldError(field, .missingField, "the enterprise number is missing") }
        var bytes = Array(text.utf8)
        if bytes.count >= 2, bytes[0] == 66, bytes[1] == 69 { bytes.removeFirst(2) }   // "BE"
        let isDotted = bytes.count == 12 && bytes[4] == 46 && bytes[8] == 46
        if isDotted { bytes.removeAll { $0 == 46 } }
        guard bytes.count == 10, bytes.allSatisfy({ (48...57).contains($0) }) else {
            throw FieldError(field, .invalidEnterpriseNumber,
                             "an enterprise number has 10 digits, written 0403170701, 0403.170.701 or BE0403170701; got '\(text.prefix(24))'")
        }
        guard bytes[0] == 48 || bytes[0] == 49 else {
            throw FieldError(field, .invalidEnterpriseNumber, "an enterprise number starts with 0 or 1, got '\(text.prefix(24))'")
        }
        let body = decimalValue(bytes[0..<8])!, check = decimalValue(bytes[8..<10])!
        guard 97 - body % 97 == check else {
            throw FieldError(field, .invalidEnterpriseNumber,
                             "enterprise number \(text) fails its check: the last two digits should be \(Self.pad2(97 - body % 97))")
        }
        digits = String(decoding: bytes, as: UTF8.self)
    }

    /// `0403.170.701`
    public var dotted: String {
        let d = Array(digits.utf8)
        return String(decoding: d[0..<4] + [UInt8(ascii: ".")] + d[4..<7] + [UInt8(ascii: ".")] + d[7..<10], as: UTF8.self)
    }

    /// `BE0403170701`
    public var vat: String { "BE" + digits }

    public var description: String { digits }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
}
