import Model
import Testing

@Suite("Belgian postcodes, regions and NUTS-1")
struct PostcodeTests {
    @Test("every boundary of the region table", arguments: [
        (1000, Region.brussels), (1299, .brussels),
        (1300, .wallonia), (1499, .wallonia),
        (1500, .flanders), (3999, .flanders),
        (4000, .wallonia), (4699, .wallonia),
        (4700, .germanSpeakingCommunity), (4799, .germanSpeakingCommunity),
        (4800, .wallonia), (7999, .wallonia),
        (8000, .flanders), (9999, .flanders),
    ])
    func boundaries(_ code: Int, _ region: Region) throws {
        #expect(try Postcode(String(code)).region == region)
    }

    @Test("the German-speaking Community range, Eupen to Sankt Vith", arguments: [4700, 4701, 4720, 4731, 4750, 4780, 4790, 4791, 4799])
    func germanSpeaking(_ code: Int) throws {
        let postcode = try Postcode(String(code))
        #expect(postcode.region == .germanSpeakingCommunity)
        #expect(postcode.region.nuts1 == "BE3")
    }

    @Test("NUTS-1 codes")
    func nuts() throws {
        #expect(try Postcode("1000").region.nuts1 == "BE1")
        #expect(try Postcode("9000").region.nuts1 == "BE2")
        #expect(try Postcode("4000").region.nuts1 == "BE3")
        #expect(try Postcode("1348").region.nuts1 == "BE3")
        #expect(try Postcode("4700").region.nuts1 == "BE3")
    }

    @Test("not Belgian postcodes are INVALID_POSTCODE", arguments: ["999", "0999", "10000", "12a4", "1 00", "-100", "１０００"])
    func invalid(_ text: String) {
        #expect { _ = try Postcode(text) } throws: { ($0 as? FieldError)?.code == .invalidPostcode }
    }

    @Test("a missing postcode is MISSING_FIELD")
    func missing() {
        #expect { _ = try Postcode("") } throws: { ($0 as? FieldError)?.code == .missingField }
    }
}
