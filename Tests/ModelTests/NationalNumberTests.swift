import Model
import Testing

@Suite("INSZ/NISS national numbers")
struct NationalNumberTests {
    // Hand-checked: 850731003 mod 97 = 69, 97 − 69 = 28, so 85073100328 (born 1985-07-31).
    // Born 2001-03-15, serial 123: 2010315123 mod 97 = 17, 97 − 17 = 80, so 01031512380; the
    // pre-2000 rule would give 51 (010315123 mod 97 = 46), so 01031512351 is someone born in 1901.
    let born1985 = CalendarDate(year: 1985, month: 7, day: 31)!
    let born2001 = CalendarDate(year: 2001, month: 3, day: 15)!

    @Test("both spellings of a number born before 2000")
    func before2000() throws {
        #expect(try NationalNumber("85073100328").digits == "85073100328")
        let dotted = try NationalNumber("85.07.31-003.28", birthDate: born1985)
        #expect(dotted.digits == "85073100328")
        #expect(dotted.century == 1900)
        #expect(dotted.formatted == "85.07.31-003.28")
    }

    @Test("a number born in 2000 or later checks with the 2 prefix")
    func from2000() throws {
        let n = try NationalNumber("01031512380", birthDate: born2001)
        #expect(n.century == 2000)
        #expect(try NationalNumber("01.03.15-123.80").century == 2000)
    }

    @Test("the check must be the one of the person's century when the birth date is known")
    func centuryMustMatch() {
        #expect { _ = try NationalNumber("01031512351", birthDate: born2001) } throws: {
            ($0 as? FieldError)?.code == .invalidNationalNumber
        }
        #expect { _ = try NationalNumber("01031512380", birthDate: CalendarDate(year: 1901, month: 3, day: 15)!) } throws: {
            ($0 as? FieldError)?.code == .invalidNationalNumber
        }
        // Without a birth date, either rule that fits is accepted.
        #expect((try? NationalNumber("01031512351"))?.century == 1900)
    }

    @Test("invalid numbers are INVALID_NATIONAL_NUMBER", arguments: [
        "85073100329", "85073100382", "8507310032", "850731003288", "85.07.31-003.2X", "85/07/31 003 28",
    ])
    func invalid(_ text: String) {
        #expect { _ = try NationalNumber(text) } throws: {
            ($0 as? FieldError)?.code == .invalidNationalNumber && ($0 as? FieldError)?.field == "nationalNumber"
        }
    }

    @Test("messages and descriptions never show the number")
    func noPersonalData() {
        do {
            _ = try NationalNumber("85073100329")
        } catch {
            #expect(!error.message.contains("85073100329"))
            #expect(!error.description.contains("850731"))
        }
        let n = try! NationalNumber("85073100328")
        #expect(!"\(n)".contains("850731"))
    }
}
