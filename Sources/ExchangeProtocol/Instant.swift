import Foundation

/// The protocol's instants (`exchange-protocol.md`): RFC 3339, read with `Z` or an offset and with
/// or without fractional seconds, written in UTC to the second (`2019-03-04T08:15:00Z`).
///
/// ```swift
/// let at = Instant.parse("2019-03-04T09:15:00+01:00")   // 2019-03-04T08:15:00Z
/// Instant.text(at!)                                   // "2019-03-04T08:15:00Z"
/// ```
public enum Instant {
    /// The instant `text` names, or nil when it is not RFC 3339 and nothing else.
    public static func parse(_ text: String) -> Date? {
        // The formatter ignores what follows a date it could read; an instant is nothing else.
        guard isShaped(Array(text.utf8)) else { return nil }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let d = plain.date(from: text) { return d }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    /// `yyyy-MM-ddTHH:mm:ssZ`, in UTC.
    public static func text(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
        return formatter.string(from: date)
    }

    /// `yyyy-MM-ddTHH:mm:ss`, optional fraction, then `Z` or `±hh:mm`, and nothing more.
    static func isShaped(_ t: [UInt8]) -> Bool {
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
}
