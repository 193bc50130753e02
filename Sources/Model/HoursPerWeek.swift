/// Weekly working hours, a decimal with at most two decimals, held exactly in hundredths.
public struct HoursPerWeek: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let hundredths: Int

    public init(hundredths: Int) { self.hundredths = hundredths }

    /// Reads `38`, `38.5`, `38,25` with the given decimal separator (`.` for JSON and Actiris,
    /// `,` for Le Forem and ADG). Range is checked by the record's rules, not here.
    public init(decimal text: String, separator: Character = ".", field: String = "hoursPerWeek") throws(FieldError) {
        guard !text.isEmpty else { throw FieldError(field, .missingField, "the weekly hours are missing") }
        let parts = text.split(separator: separator, maxSplits: 1, omittingEmptySubsequences: false)
        let whole = Array(parts[0].utf8), fraction = parts.count == 2 ? Array(parts[1].utf8) : []
        guard (1...3).contains(whole.count), fraction.count <= 2, !(parts.count == 2 && fraction.isEmpty),
              let w = decimalValue(whole[...]),
              fraction.isEmpty || decimalValue(fraction[...]) != nil
        else {
            throw FieldError(field, .invalidValue,
                             "weekly hours are a decimal number with at most two decimals and '\(separator)' as separator, got '\(text.prefix(16))'")
        }
        var f = fraction.isEmpty ? 0 : decimalValue(fraction[...])!
        if fraction.count == 1 { f *= 10 }
        hundredths = w * 100 + f
    }

    /// The shortest decimal form with the given separator: `38`, `38.5`, `38.25`.
    public func formatted(separator: String = ".", minimumFractionDigits: Int = 0) -> String {
        let whole = hundredths / 100, frac = hundredths % 100
        var digits = frac == 0 ? "" : (frac % 10 == 0 ? String(frac / 10) : (frac < 10 ? "0\(frac)" : String(frac)))
        while digits.count < minimumFractionDigits { digits += "0" }
        return digits.isEmpty ? String(whole) : "\(whole)\(separator)\(digits)"
    }

    public var description: String { formatted() }
    public static func < (a: HoursPerWeek, b: HoursPerWeek) -> Bool { a.hundredths < b.hundredths }
}
