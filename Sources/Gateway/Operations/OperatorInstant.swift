import ExchangeHTTP
import ExchangeProtocol
import Foundation

/// When an operator or a statistician names a moment: a day (`2026-11-22`, its midnight UTC) or an
/// RFC 3339 instant (`2026-11-22T06:00:00Z`). The command line and the admin API read it alike.
public enum OperatorInstant {
    public static func parse(_ text: String) -> Date? {
        if let instant = Instant.parse(text) { return instant }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text)
    }
}
