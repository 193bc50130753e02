import ExchangeProtocol
import Foundation
import Model

extension DatePattern {
    /// Reads a date in this pattern: a real calendar day, or `INVALID_DATE` naming the pattern.
    public func read(_ text: String, field: String) throws(FieldError) -> CalendarDate {
        let b = Array(text.utf8)
        let parts: (y: Range<Int>, m: Range<Int>, d: Range<Int>, separators: [(Int, UInt8)])
        switch self {
        case .iso: parts = (0..<4, 5..<7, 8..<10, [(4, 45), (7, 45)])
        case .slashes: parts = (6..<10, 3..<5, 0..<2, [(2, 47), (5, 47)])
        case .dots: parts = (6..<10, 3..<5, 0..<2, [(2, 46), (5, 46)])
        case .compact: parts = (0..<4, 4..<6, 6..<8, [])
        }
        let length = self == .compact ? 8 : 10
        guard b.count == length, parts.separators.allSatisfy({ b[$0.0] == $0.1 }),
              let y = decimalValue(b[parts.y]), let m = decimalValue(b[parts.m]), let d = decimalValue(b[parts.d]) else {
            throw FieldError(field, .invalidDate, "expected a date as \(rawValue), got '\(text.prefix(32))'")
        }
        guard let date = CalendarDate(year: y, month: m, day: d) else {
            throw FieldError(field, .invalidDate, "\(text) is not a real calendar date")
        }
        return date
    }

    public func write(_ date: CalendarDate) -> String {
        switch self {
        case .iso: date.written(dayFirst: false, separator: UInt8(ascii: "-"))
        case .slashes: date.written(dayFirst: true, separator: UInt8(ascii: "/"))
        case .dots: date.written(dayFirst: true, separator: UInt8(ascii: "."))
        case .compact: date.written(dayFirst: false, separator: nil)
        }
    }
}

extension TimestampPattern {
    static let brussels = TimeZone(identifier: "Europe/Brussels")!

    /// The instant in this pattern: RFC 3339 in UTC, the others in Brussels local time.
    public func write(_ date: Date) -> String {
        if self == .rfc3339 { return Instant.text(date) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = Self.brussels
        formatter.dateFormat = rawValue
        return formatter.string(from: date)
    }
}

extension TimestampPattern {
    /// Whether `text` is a time written in this pattern: RFC 3339 with `Z` or an offset, or the
    /// pattern's digits and separators exactly, with a real date and a time of day.
    public func accepts(_ text: String) -> Bool {
        if self == .rfc3339 { return Instant.parse(text) != nil }
        let b = Array(text.utf8), shape = Array(rawValue.replacingOccurrences(of: "'", with: "").utf8)
        guard b.count == shape.count else { return false }
        var fields: [UInt8: Int] = [:]
        for (c, p) in zip(b, shape) {
            if (65...122).contains(p) && p != 84 {   // a pattern letter (not the literal T)
                guard (48...57).contains(c) else { return false }
                fields[p, default: 0] = fields[p, default: 0] * 10 + Int(c - 48)
            } else if c != p {
                return false
            }
        }
        let (year, month, day) = (fields[UInt8(ascii: "y")] ?? 0, fields[UInt8(ascii: "M")] ?? 0, fields[UInt8(ascii: "d")] ?? 0)
        guard CalendarDate(year: year, month: month, day: day) != nil else { return false }
        return (fields[UInt8(ascii: "H")] ?? 0) < 24 && (fields[UInt8(ascii: "m")] ?? 0) < 60 && (fields[UInt8(ascii: "s")] ?? 0) < 60
    }
}
