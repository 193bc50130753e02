/// A number as JSON spells it (`38`, `38.500`, `3.8e1`, `-0.5E-2`), held exactly as its digits and
/// a power of ten: a value, whatever its spelling (clarification 8 of the exchange protocol).
///
/// ```swift
/// DecimalNumber("3.8e1")?.scaled(by: 2)     // 3800: 38 hours in hundredths
/// DecimalNumber("38.505")?.scaled(by: 2)    // nil: a third decimal that is not zero
/// ```
public struct DecimalNumber: Hashable, Sendable {
    /// The significant digits, without leading or trailing zeros (empty for zero).
    public let digits: [UInt8]
    /// The power of ten the digits are multiplied by.
    public let exponent: Int
    public let negative: Bool

    /// Reads JSON's number grammar (RFC 8259 §6); nil for anything else (`+1`, `.5`, `01`, `1.`,
    /// `1e`, white space). Exponents beyond ±100,000 are refused rather than computed.
    public init?(_ text: String) {
        let b = Array(text.utf8)
        var i = 0
        var negative = false
        if i < b.count, b[i] == 0x2D { negative = true; i += 1 }
        func isDigit(_ c: UInt8) -> Bool { (48...57).contains(c) }
        let integerStart = i
        while i < b.count, isDigit(b[i]) { i += 1 }
        let integer = b[integerStart..<i]
        guard !integer.isEmpty, integer.count == 1 || integer.first != 0x30 else { return nil }
        var fraction: ArraySlice<UInt8> = []
        if i < b.count, b[i] == 0x2E {
            i += 1
            let start = i
            while i < b.count, isDigit(b[i]) { i += 1 }
            fraction = b[start..<i]
            guard !fraction.isEmpty else { return nil }
        }
        var power = 0
        if i < b.count, b[i] == 0x65 || b[i] == 0x45 {
            i += 1
            var minus = false
            if i < b.count, b[i] == 0x2B || b[i] == 0x2D { minus = b[i] == 0x2D; i += 1 }
            let start = i
            while i < b.count, isDigit(b[i]) { i += 1 }
            guard i > start, i - start <= 6, let e = decimalValue(b[start..<i]) else { return nil }
            power = minus ? -e : e
        }
        guard i == b.count else { return nil }
        var all = Array(integer) + Array(fraction)
        var exponent = power - fraction.count
        while let first = all.first, first == 0x30 { all.removeFirst() }
        while let last = all.last, last == 0x30 { all.removeLast(); exponent += 1 }
        self.digits = all.map { $0 - 0x30 }
        self.exponent = all.isEmpty ? 0 : exponent
        self.negative = negative && !all.isEmpty
    }

    /// The value times 10^`decimals` as a whole number, when it is one and fits in 18 digits; nil
    /// when the value has a non-zero digit beyond `decimals` decimals, or is too large.
    public func scaled(by decimals: Int) -> Int? {
        let shift = exponent + decimals
        guard shift >= 0 else { return nil }
        guard digits.count + shift <= 18 else { return nil }
        var n = 0
        for d in digits { n = n * 10 + Int(d) }
        for _ in 0..<shift { n *= 10 }
        return negative ? -n : n
    }

    /// Whether the value has a non-zero digit beyond `decimals` decimals.
    public func hasMoreDecimals(than decimals: Int) -> Bool { exponent + decimals < 0 }
}
