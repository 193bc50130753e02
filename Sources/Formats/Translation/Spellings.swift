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

    /// RFC 3339 with `Z` or an offset, with or without fractional seconds.
    public static func instant(_ text: String) -> Date? {
        // The formatter ignores what follows a date it could read; an instant is nothing else.
        guard isInstantShaped(Array(text.utf8)) else { return nil }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let d = plain.date(from: text) { return d }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    /// `yyyy-MM-ddTHH:mm:ss`, optional fraction, then `Z` or `±hh:mm`, and nothing more.
    static func isInstantShaped(_ t: [UInt8]) -> Bool {
        func digits(_ range: Range<Int>) -> Bool { range.upperBound <= t.count && t[range].allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        func byte(_ i: Int, _ c: Character) -> Bool { i < t.count && t[i] == c.asciiValue! }
        guard digits(0..<4), byte(4, "-"), digits(5..<7), byte(7, "-"), digits(8..<10), byte(10, "T") || byte(10, "t"),
              digits(11..<13), byte(13, ":"), digits(14..<16), byte(16, ":"), digits(17..<19) else { return false }
        var i = 19
        if byte(i, ".") {
            i += 1
            let start = i
            while digits(i..<(i + 1)) { i += 1 }
            guard i > start, i - start <= 9 else { return false }
        }
        if byte(i, "Z") || byte(i, "z") { return i + 1 == t.count }
        guard byte(i, "+") || byte(i, "-") else { return false }
        return digits((i + 1)..<(i + 3)) && byte(i + 3, ":") && digits((i + 4)..<(i + 6)) && i + 6 == t.count
    }

    /// The instant in this pattern: RFC 3339 in UTC, the others in Brussels local time.
    public func write(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        switch self {
        case .rfc3339:
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
        default:
            formatter.timeZone = Self.brussels
            formatter.dateFormat = rawValue
        }
        return formatter.string(from: date)
    }
}
