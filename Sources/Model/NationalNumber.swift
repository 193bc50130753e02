/// A Belgian national register number (INSZ/NISS): `YYMMDDSSSCC`, sometimes written
/// `85.07.31-003.28`.
///
/// The check `CC` is 97 − (first nine digits mod 97); for people born in 2000 or later it is
/// computed on `2` followed by the nine digits. Messages never quote the number: it is personal data.
public struct NationalNumber: Hashable, Sendable, CustomStringConvertible {
    /// The eleven digits, no separators: the profile's form.
    public let digits: String
    /// The century the check digits point to: 1900 or 2000.
    public let century: Int

    /// Reads the number in either spelling. When the birth date is known, the check must be the
    /// one for that person's century.
    public init(_ text: String, birthDate: CalendarDate? = nil, field: String = "nationalNumber") throws(FieldError) {
        guard !text.isEmpty else { throw FieldError(field, .missingField, "the national number is missing") }
        let bytes = Array(text.utf8).filter { $0 != 46 && $0 != 45 && $0 != 32 }   // . - space
        guard bytes.count == 11, bytes.allSatisfy({ (48...57).contains($0) }), text.utf8.count <= 15 else {
            throw FieldError(field, .invalidNationalNumber,
                             "a national number has 11 digits, written 85073100328 or 85.07.31-003.28 (\(text.utf8.count) characters given)")
        }
        let body = decimalValue(bytes[0..<9])!, check = decimalValue(bytes[9..<11])!
        let fitsBefore2000 = 97 - body % 97 == check
        let fitsFrom2000 = 97 - (2_000_000_000 + body) % 97 == check
        switch (birthDate.map { $0.year >= 2000 }, fitsBefore2000, fitsFrom2000) {
        case (nil, true, _), (false?, true, _): century = 1900
        case (nil, false, true), (true?, _, true): century = 2000
        case (true?, true, false):
            throw FieldError(field, .invalidNationalNumber,
                             "the national number's check digits are those of a person born before 2000, but the birth date is in 2000 or later")
        case (false?, false, true):
            throw FieldError(field, .invalidNationalNumber,
                             "the national number's check digits are those of a person born in 2000 or later, but the birth date is before 2000")
        default:
            throw FieldError(field, .invalidNationalNumber, "the national number fails its check digits")
        }
        digits = String(decoding: bytes, as: UTF8.self)
    }

    /// `85.07.31-003.28`
    public var formatted: String {
        let d = Array(digits)
        return "\(String(d[0..<2])).\(String(d[2..<4])).\(String(d[4..<6]))-\(String(d[6..<9])).\(String(d[9..<11]))"
    }

    /// Never the number itself, so that a stray interpolation cannot leak it into a log.
    public var description: String { "NationalNumber(redacted)" }
}
