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
    public var description: String { written(dayFirst: false, separator: UInt8(ascii: "-")) }

    /// The date as digits, year first (`2019-03-07`, `20190307`) or day first (`07/03/2019`), with
    /// `separator` between the parts (none if nil). Made byte by byte: records carry several dates,
    /// written for every digest and every document.
    public func written(dayFirst: Bool, separator: UInt8?) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { buffer in
            var i = 0
            func put(_ n: Int, _ width: Int) {
                var n = n
                for k in stride(from: width - 1, through: 0, by: -1) { buffer[i + k] = UInt8(48 + n % 10); n /= 10 }
                i += width
            }
            func separate() { if let separator { buffer[i] = separator; i += 1 } }
            if dayFirst {
                put(day, 2); separate(); put(month, 2); separate(); put(year, 4)
            } else {
                put(year, 4); separate(); put(month, 2); separate(); put(day, 2)
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<i]), as: UTF8.self)
        }
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
}

/// Checks that an end date is not before its start: `INVALID_DATE` on the end's field otherwise.
public func requireNotBefore(_ end: CalendarDate, _ start: CalendarDate, field: String, startField: String) throws(FieldError) {
    guard end >= start else {
        throw FieldError(field, .invalidDate, "\(field) \(end) is before \(startField) \(start)")
    }
}
