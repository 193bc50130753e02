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

    /// Reads a JSON number's value, whatever its spelling (`38`, `38.500`, `3.8e1`: clarification 8
    /// of the exchange protocol), when it has at most two decimals. Range is checked by the
    /// record's rules, not here.
    public init(number text: String, field: String = "hoursPerWeek") throws(FieldError) {
        guard let number = DecimalNumber(text) else {
            throw FieldError(field, .invalidValue, "weekly hours are a number, got '\(text.prefix(16))'")
        }
        guard !number.hasMoreDecimals(than: 2) else {
            throw FieldError(field, .invalidValue, "weekly hours have at most two decimals, got '\(text.prefix(16))'")
        }
        guard let hundredths = number.scaled(by: 2), (-99_999...99_999).contains(hundredths) else {
            throw FieldError(field, .invalidValue, "weekly hours of '\(text.prefix(16))' are out of range (more than 0, at most 60)")
        }
        self.hundredths = hundredths
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
