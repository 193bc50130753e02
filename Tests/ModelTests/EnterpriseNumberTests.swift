import Model
import Testing

@Suite("KBO/BCE enterprise numbers")
struct EnterpriseNumberTests {
    // Hand-checked: 04031707 mod 97 = 96, 97 − 96 = 01; 02022399 mod 97 = 46, 97 − 46 = 51;
    // 04174971 mod 97 = 91, 97 − 91 = 06; 00000097 mod 97 = 0, so the check is 97.
    @Test("valid numbers in all three spellings", arguments: [
        ("0403.170.701", "0403170701"), ("0403170701", "0403170701"), ("BE0403170701", "0403170701"),
        ("0202.239.951", "0202239951"), ("BE0417497106", "0417497106"), ("0000009797", "0000009797"),
    ])
    func valid(_ text: String, _ digits: String) throws {
        let number = try EnterpriseNumber(text)
        #expect(number.digits == digits)
    }

    @Test("the three spellings written back")
    func spellings() throws {
        let number = try EnterpriseNumber("BE0403170701")
        #expect(number.dotted == "0403.170.701")
        #expect(number.vat == "BE0403170701")
        #expect(number.description == "0403170701")
    }

    @Test("invalid numbers are INVALID_ENTERPRISE_NUMBER", arguments: [
        "0403.170.702",   // check digits: 01 expected
        "0403170710",     // swapped check digits
        "2403170701",     // first digit neither 0 nor 1
        "040317070",      // nine digits
        "04031707011",    // eleven digits
        "0403.17.0701",   // dots in the wrong places
        "BE 0403170701",  // a space is none of the three spellings
        "FR0403170701",
        "04O3170701",     // letter O for zero
    ])
    func invalid(_ text: String) {
        #expect {
            _ = try EnterpriseNumber(text)
        } throws: { ($0 as? FieldError)?.code == .invalidEnterpriseNumber && ($0 as? FieldError)?.field == "enterpriseNumber" }
    }

    @Test("an empty number is MISSING_FIELD")
    func missing() {
        #expect { _ = try EnterpriseNumber("") } throws: { ($0 as? FieldError)?.code == .missingField }
    }

    @Test("the message says which check digits were expected")
    func message() {
        do {
            _ = try EnterpriseNumber("0403.170.702")
            Issue.record("accepted a wrong check")
        } catch {
            #expect(error.message.contains("should be 01"))
        }
    }
}
