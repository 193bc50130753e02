import Model
import Testing

@Suite("Hours, languages, identifiers, versions, code lists")
struct ValueTests {
    @Test("weekly hours in both decimal spellings", arguments: [
        ("38", ".", 3800), ("38.5", ".", 3850), ("38.25", ".", 3825), ("38,0", ",", 3800), ("19,5", ",", 1950), ("7.05", ".", 705),
    ])
    func hours(_ text: String, _ separator: String, _ hundredths: Int) throws {
        #expect(try HoursPerWeek(decimal: text, separator: Character(separator)).hundredths == hundredths)
    }

    @Test("hours written back in their shortest form")
    func hoursFormatted() {
        #expect(HoursPerWeek(hundredths: 3800).formatted() == "38")
        #expect(HoursPerWeek(hundredths: 3850).formatted(separator: ",") == "38,5")
        #expect(HoursPerWeek(hundredths: 3800).formatted(separator: ",", minimumFractionDigits: 1) == "38,0")
        #expect(HoursPerWeek(hundredths: 705).formatted() == "7.05")
    }

    @Test("malformed hours are INVALID_VALUE", arguments: ["38.255", "38,5", "abc", "38.", ".5", "1000", "-1", "3 8"])
    func badHours(_ text: String) {
        #expect { _ = try HoursPerWeek(decimal: text, separator: ".") } throws: { ($0 as? FieldError)?.code == .invalidValue }
    }

    @Test("language codes in either case, held in lower case")
    func languages() throws {
        #expect(try LanguageCode("NL") == .dutch)
        #expect(try LanguageCode("fr").rawValue == "fr")
        #expect { _ = try LanguageCode("nld") } throws: { ($0 as? FieldError)?.code == .invalidValue }
        #expect(try CEFRLevel("b2") == .b2)
        #expect(CEFRLevel.a1 < CEFRLevel.c2)
        #expect { _ = try CEFRLevel("B3") } throws: { ($0 as? FieldError)?.code == .invalidValue }
    }

    @Test("record ids follow the identifier form")
    func ids() throws {
        #expect(try RecordID("IBO-2026-000123").rawValue == "IBO-2026-000123")
        #expect(try RecordID("A-2026/118.877_b").rawValue == "A-2026/118.877_b")
        for bad in ["-A1", "A 1", "../etc", String(repeating: "x", count: 65), "é1"] {
            #expect(throws: FieldError.self) { _ = try RecordID(bad) }
        }
        #expect { _ = try RecordID("") } throws: { ($0 as? FieldError)?.code == .missingField }
    }

    @Test("versions are positive, at most nine digits, no leading zeros")
    func versions() throws {
        #expect(try RecordVersion(decimal: "3").rawValue == 3)
        for bad in ["0", "03", "-1", "1000000000", "1.0", "x"] {
            #expect(throws: FieldError.self) { _ = try RecordVersion(decimal: bad) }
        }
    }

    @Test("canonical code lists refuse what is not on them")
    func codeLists() throws {
        #expect(try ContractType(canonical: "FIXED_TERM", field: "contractType") == .fixedTerm)
        #expect { _ = try VacancyStatus(canonical: "open", field: "status") } throws: {
            ($0 as? FieldError)?.code == .invalidValue && ($0 as? FieldError)?.message.contains("OPEN, FILLED, CANCELLED") == true
        }
    }

    @Test("agency codes")
    func agencies() {
        #expect(Agency(rawValue: "FOREM") == .forem)
        #expect(AgencyDirectory.profile.codes.map(\.rawValue) == ["VDAB", "FOREM", "ACTIRIS", "ADG", "BF"])
        #expect(AgencyDirectory.profile.traineeRules.inCompanySchemes == [.vdab: ["IBO"], .forem: ["PFI"], .adg: ["IBU"], .bf: ["FPI", "FPI-E"]])
        #expect(Agency(rawValue: "forem") == nil)
        #expect(Agency(rawValue: "X") == nil)
    }

    @Test("an agency directory refuses a code twice and schemes of a body that trains nobody")
    func directoryFaults() {
        let efp = AgencyDirectory.Entry(code: Agency(rawValue: "EFP")!, trains: true, inCompanySchemes: [.init(nativeName: "ALT")])
        #expect(throws: AgencyDirectory.Fault(description: "EFP appears twice")) { try AgencyDirectory([efp, efp]) }
        var idle = efp
        idle.trains = false
        #expect(throws: AgencyDirectory.Fault(description: "EFP trains nobody, so it runs no in-company scheme")) { try AgencyDirectory([idle]) }
        let directory = try! AgencyDirectory(AgencyDirectory.profile.entries + [efp])
        #expect(directory.agency("EFP") == efp.code && directory.agency("NAV") == nil && directory.agency("efp") == nil)
        #expect(directory.traineeRules.inCompanySchemes[efp.code] == ["ALT"])
        #expect(directory.name(of: efp.code, in: .german) == "EFP")   // no names given: its code
    }

    @Test("fiche and appellation code forms")
    func occupationCodes() {
        #expect(FicheCode(rawValue: "M1805")?.domain == "M18")
        #expect(FicheCode(rawValue: "M1805")?.grandDomain == "M")
        #expect(FicheCode(rawValue: "Z1805") == nil)
        #expect(FicheCode(rawValue: "M185") == nil)
        #expect(AppellationCode(rawValue: "19475") != nil)
        #expect(AppellationCode(rawValue: "140877") != nil)
        #expect(AppellationCode(rawValue: "1947") == nil)
    }
}

@Suite("Near misses for \"did you mean\"")
struct NearMissTests {
    @Test("the closest known name within a slip's distance, ignoring case; nothing for a stranger", arguments: [
        ("recieveKeyFile", "receiveKeyFile"), ("sendKeyfile", "sendKeyFile"), ("fore", "FOREM"), ("vdba", "VDAB"), ("exchange-jsn", "exchange-json"),
        ("colour", nil), ("X", nil), ("", nil),
    ] as [(String, String?)])
    func suggestion(_ typed: String, _ expected: String?) {
        #expect(NearMiss.suggestion(for: typed, among: ["receiveKeyFile", "sendKeyFile", "receiveNextKeyFile", "FOREM", "VDAB", "ADG", "exchange-json", "exchange-xml"])
                == expected)
    }
}
