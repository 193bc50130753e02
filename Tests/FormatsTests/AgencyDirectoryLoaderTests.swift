import Foundation
import Testing
@testable import Formats
import Model

@Suite("The agency directory (mappings/agencies.yaml): checked at start-up, faults with their line")
struct AgencyDirectoryLoaderTests {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("mappings/agencies.yaml")

    /// The five of the profile, one line each, and `extra` after them.
    static func directory(_ extra: String = "", replacing: (String, String)? = nil) -> String {
        var text = """
            agencies:
              - { code: VDAB, names: { nl: V, fr: V, de: V }, languages: [nl], trains: true, inCompanySchemes: { IBO: {} }, regions: [FLANDERS] }
              - { code: FOREM, names: { nl: F, fr: F, de: F }, languages: [fr], trains: true, inCompanySchemes: { PFI: {} }, regions: [WALLONIA] }
              - { code: ACTIRIS, names: { nl: A, fr: A, de: A }, languages: [fr, nl], trains: false, regions: [BRUSSELS] }
              - { code: ADG, names: { nl: D, fr: D, de: D }, languages: [de], trains: true, inCompanySchemes: { IBU: {} }, regions: [GERMAN_SPEAKING_COMMUNITY] }
              - { code: BF, names: { nl: B, fr: B, de: B }, languages: [fr], trains: true, inCompanySchemes: { FPI: {}, FPI-E: {} }, regions: [BRUSSELS] }

            """ + extra
        if let (from, to) = replacing { text = text.replacingOccurrences(of: from, with: to) }
        return text
    }

    @Test("the shipped file holds the specification's five, with their schemes and names in fr, nl and de")
    func shipped() throws {
        let text = try String(contentsOf: Self.shipped, encoding: .utf8)
        let directory = try AgencyDirectoryLoader.load(yaml: text, file: "agencies.yaml")
        #expect(directory.codes == AgencyDirectory.profile.codes)
        #expect(directory.traineeRules.inCompanySchemes == TraineeRules.profile.inCompanySchemes)
        #expect(directory.name(of: .forem, in: .german) == "Le Forem, Wallonisches Amt für Berufsbildung und Beschäftigung")
        #expect(directory.name(of: .bf, in: .french) == "Bruxelles Formation")
        #expect(directory[.actiris]?.languages == [.french, .dutch])
    }

    @Test("a sixth body is one more entry; a format may then name it")
    func sixth() throws {
        let directory = try AgencyDirectoryLoader.load(yaml: Self.directory("""
              - code: EFP
                names: { fr: efp, nl: efp, de: efp }
                languages: [fr]
                trains: true
                inCompanySchemes: { ALT: { fr: Formation en alternance } }
                regions: [BRUSSELS]
            """), file: "a.yaml")
        let efp = try #require(directory.agency("EFP"))
        #expect(directory.traineeRules.inCompanySchemes[efp] == ["ALT"])
        #expect(directory[efp]?.inCompanySchemes.first?.names[.french] == "Formation en alternance")
        // A format must spell the profile's five; it may leave the sixth out, or name it.
        let mapping = MappingLoaderTests.valid
        _ = try MappingLoader.load(yaml: mapping, file: "m.yaml", name: "m", agencies: directory)
        let naming = try MappingLoader.load(yaml: mapping.replacingOccurrences(of: "BF: BF }", with: "BF: BF, E: EFP }"), file: "m.yaml", name: "m",
                                            agencies: directory)
        #expect(naming.agencies.toNative["EFP"] == "E")
        #expect(naming.traineeRules.inCompanySchemes[efp] == ["ALT"])
        #expect(throws: MappingError(file: "m.yaml", line: 6, "'EFP' is not a canonical value of agencies (VDAB, FOREM, ACTIRIS, ADG, BF)")) {
            try MappingLoader.load(yaml: mapping.replacingOccurrences(of: "BF: BF }", with: "BF: BF, E: EFP }"), file: "m.yaml", name: "m")
        }
    }

    static let faults: [(extra: String, replacing: (String, String)?, line: Int, message: String)] = [
        ("", ("  - { code: ADG", "  # - { code: ADG"), 2, "ADG is missing: the exchange profile's agencies (VDAB, FOREM, ACTIRIS, ADG, BF) are all listed"),
        ("", ("{ PFI: {} }", "{ PFI: {}, APP: {} }"), 3, "FOREM trains under the profile's in-company schemes PFI (exchange-records.md §3)"),
        ("", ("trains: false", "trains: true"), 4, "ACTIRIS trains nobody in the exchange profile (trains: false, no in-company scheme)"),
        ("  - { code: efp, names: {}, languages: [fr], trains: false, regions: [BRUSSELS] }", nil, 7,
         "'efp' is not an agency code (2 to 16 capital letters, digits, - or _, starting with a letter)"),
        ("  - { code: EFP, names: { fr: e, nl: e }, languages: [fr], trains: false, regions: [BRUSSELS] }", nil, 7,
         "EFP has no name in de (names in fr, nl and de)"),
        ("  - { code: EFP, names: { fr: e, nl: e, de: e }, languages: [xx], trains: false, regions: [BRUSSELS] }", nil, 7,
         "'xx' is not an ISO 639-1 language code"),
        ("  - { code: EFP, names: { fr: e, nl: e, de: e }, languages: [fr], trains: false, regions: [BRUXELLES] }", nil, 7,
         "'BRUXELLES' is not a region (BRUSSELS, FLANDERS, WALLONIA, GERMAN_SPEAKING_COMMUNITY)"),
        ("  - { code: EFP, names: { fr: e, nl: e, de: e }, languages: [fr], trains: false, inCompanySchemes: { ALT: {} }, regions: [BRUSSELS] }", nil, 7,
         "EFP trains nobody (trains: false), so it runs no in-company scheme"),
        ("  - { code: EFP, names: { fr: e, nl: e, de: e }, languages: [fr], trains: maybe, regions: [BRUSSELS] }", nil, 7, "expected true or false"),
        ("  - { code: EFP, names: { fr: e, nl: e, de: e }, languages: [fr], trains: false, regions: [BRUSSELS], seat: Ixelles }", nil, 7,
         "unknown key 'seat' in an agency (allowed: code, inCompanySchemes, languages, names, regions, trains)"),
        ("  - { code: BF, names: { fr: e, nl: e, de: e }, languages: [fr], trains: false, regions: [BRUSSELS] }", nil, 7, "BF appears twice"),
    ]

    @Test("each fault names its line", arguments: faults.indices)
    func fault(_ index: Int) {
        let f = Self.faults[index]
        #expect(throws: MappingError(file: "a.yaml", line: f.line, f.message)) {
            try AgencyDirectoryLoader.load(yaml: Self.directory(f.extra, replacing: f.replacing), file: "a.yaml")
        }
    }
}
