/// A day of the proleptic Gregorian calendar, without time or offset: what the profile's
/// `YYYY-MM-DD` dates are.
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Returns nil unless the three numbers name a real day between 0001-01-01 and 9999-12-31.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...Self.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses ISO `YYYY-MM-DD` strictly: ten characters, a real calendar date.
    public init(iso text: String, field: String) throws(FieldError) {
        guard !text.isEmpty else { throw FieldError(field, .missingField, "the date is missing") }
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == 45, b[7] == 45,
              let y = decimalValue(b[0..<4]), let m = decimalValue(b[5..<7]), let d = decimalValue(b[8..<10])
        else { throw FieldError(field, .invalidDate, "expected a date as YYYY-MM-DD, got '\(text.prefix(32))'") }
        guard let date = CalendarDate(year: y, month: m, day: d) else {
            throw FieldError(field, .invalidDate, "\(text) is not a real calendar date")
        }
        self = date
    }

    /// The ISO form, `YYYY-MM-DD`.
    public var description: String {
        Self.padded(year, 4) + "-" + Self.padded(month, 2) + "-" + Self.padded(day, 2)
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// The day number counted from 0001-01-01 (day 0), for differences between dates.
    public var dayNumber: Int {
        let y = year - 1
        var days = y * 365 + y / 4 - y / 100 + y / 400
        for m in 1..<month { days += Self.daysIn(month: m, year: year) }
        return days + day - 1
    }

    /// Days from `earlier` to `self` (negative when `earlier` is later).
    public func daysSince(_ earlier: CalendarDate) -> Int { dayNumber - earlier.dayNumber }

    /// Whole years of age reached on `date` by a person born on `self`.
    public func age(on date: CalendarDate) -> Int {
        var years = date.year - year
        if (date.month, date.day) < (month, day) { years -= 1 }
        return years
    }

    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func padded(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}

/// Checks that an end date is not before its start: `INVALID_DATE` on the end's field otherwise.
public func requireNotBefore(_ end: CalendarDate, _ start: CalendarDate, field: String, startField: String) throws(FieldError) {
    guard end >= start else {
        throw FieldError(field, .invalidDate, "\(field) \(end) is before \(startField) \(start)")
    }
}
