import Model
import Testing

@Suite("ISO dates and periods")
struct CalendarDateTests {
    @Test("real dates", arguments: ["2026-11-20", "2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31"])
    func valid(_ text: String) throws {
        #expect(try CalendarDate(iso: text, field: "d").description == text)
    }

    @Test("written year first or day first, with or without separators")
    func written() throws {
        let date = try #require(CalendarDate(year: 7, month: 3, day: 9))
        #expect(date.written(dayFirst: false, separator: UInt8(ascii: "-")) == "0007-03-09")
        #expect(date.written(dayFirst: true, separator: UInt8(ascii: "/")) == "09/03/0007")
        #expect(date.written(dayFirst: true, separator: UInt8(ascii: ".")) == "09.03.0007")
        #expect(date.written(dayFirst: false, separator: nil) == "00070309")
        #expect(try #require(CalendarDate(year: 2019, month: 12, day: 31)).written(dayFirst: true, separator: nil) == "31122019")
    }

    @Test("not real dates or not ISO are INVALID_DATE", arguments: [
        "2023-02-29", "1900-02-29", "2026-13-01", "2026-04-31", "2026-00-10", "2026-01-00",
        "2026-1-01", "20/11/2026", "2026/11/20", "2026-11-20T06:00", "0000-01-01", "2026-11-2x",
    ])
    func invalid(_ text: String) {
        #expect { _ = try CalendarDate(iso: text, field: "publicationDate") } throws: {
            ($0 as? FieldError)?.code == .invalidDate && ($0 as? FieldError)?.field == "publicationDate"
        }
    }

    @Test("an end before its start is INVALID_DATE; the same day is fine")
    func order() throws {
        let start = try CalendarDate(iso: "2026-01-12", field: "start")
        try requireNotBefore(start, start, field: "end", startField: "start")
        #expect { try requireNotBefore(CalendarDate(iso: "2026-01-11", field: "end"), start, field: "end", startField: "start") } throws: {
            ($0 as? FieldError)?.code == .invalidDate
        }
    }

    @Test("age in whole years")
    func age() {
        let birth = CalendarDate(year: 2001, month: 3, day: 15)!
        #expect(birth.age(on: CalendarDate(year: 2026, month: 3, day: 14)!) == 24)
        #expect(birth.age(on: CalendarDate(year: 2026, month: 3, day: 15)!) == 25)
    }
}

@Suite("Days between dates")
struct DayDifferenceTests {
    @Test("differences across months, leap days and centuries", arguments: [
        ("2024-02-28", "2024-03-01", 2), ("2023-02-28", "2023-03-01", 1), ("1999-12-31", "2000-01-01", 1),
        ("1900-02-28", "1900-03-01", 1), ("2026-01-01", "2026-12-31", 364), ("2026-11-22", "2026-11-08", -14),
        ("0001-01-01", "2026-11-22", 739_941),
    ])
    func difference(_ from: String, _ to: String, _ days: Int) throws {
        let a = try CalendarDate(iso: from, field: "a"), b = try CalendarDate(iso: to, field: "b")
        #expect(b.daysSince(a) == days)
    }
}
