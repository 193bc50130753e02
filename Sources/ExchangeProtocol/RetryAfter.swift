import Foundation

/// A `Retry-After` header's value in seconds from `now`, in either form of RFC 9110 §10.2.3
/// (clarification 10): a number of seconds (`120`), or an HTTP date
/// (`Wed, 21 Oct 2026 07:28:00 GMT`, and the two obsolete forms RFC 9110 §5.6.7 says to accept).
/// A date in the past is 0 seconds; anything else is nil (the sender's own back-off applies).
///
/// ```swift
/// RetryAfter.seconds("120", now: now)                              // 120
/// RetryAfter.seconds("Mon, 07 Dec 2026 18:10:00 GMT", now: now)    // seconds until then
/// ```
public enum RetryAfter {
    public static func seconds(_ value: String, now: Date) -> TimeInterval? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) }) { return text.utf8.count <= 9 ? TimeInterval(text) : nil }
        // Formatters made per call: an answer with a Retry-After is rare, and a shared formatter
        // would be shared across threads.
        for format in formats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return max(0, date.timeIntervalSince(now)) }
        }
        return nil
    }

    /// IMF-fixdate, then RFC 850's and asctime's forms, all in GMT.
    private static let formats = ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"]

}
