import Model
import Testing
@testable import Taxonomy

/// A taxonomy small enough to read at a glance.
enum Tiny {
    static func taxonomy() throws -> Taxonomy {
        let entries = ["H": "Industrie", "H29": "Mécanique", "H2913": "Soudage manuel", "H2909": "Montage-assemblage mécanique",
                       "K": "Services", "K13": "Aide à la vie quotidienne", "K1304": "Services domestiques"]
            .map { RomeEntry(code: $0.key, label: $0.value) }
        func fiche(_ s: String) -> FicheCode { FicheCode(rawValue: s)! }
        func ogr(_ s: String) -> AppellationCode { AppellationCode(rawValue: s)! }
        let v3 = RomeV3Content(entries: entries, appellations: [
            Appellation(code: ogr("19475"), fiche: fiche("H2913"), label: "Soudeur TIG"),
            Appellation(code: ogr("17001"), fiche: fiche("H2909"), label: "Monteur"),
        ])
        let v4 = RomeV4Content(codes: [Rome4Code(code: "H2913", parent: fiche("H2913"), label: "Soudeur"),
                                       Rome4Code(code: "H2916", parent: fiche("H2913"), label: "Soudeur TIG"),
                                       Rome4Code(code: "H2950", parent: fiche("H2909"), label: "Monteur robot")],
                               appellations: [Rome4Appellation(code: ogr("19475"), rome4: "H2916", fiche: fiche("H2913"), label: "Soudeur TIG"),
                                              Rome4Appellation(code: ogr("404100"), rome4: "H2950", fiche: fiche("H2909"), label: "Roboticien")])
        let exceptions: [String: FicheCode?] = ["K1306": fiche("K1304"), "D1216": Optional<FicheCode>.none]
        let competent = [CompetentVersion(version: "2019", exceptions: exceptions)]
        return try Taxonomy(v3: v3, labels: ["H2913": Labels(fr: "Soudage manuel", nl: "Lasser", de: "Schweißer")], v4: v4,
                            competent: competent, provenance: "test")
    }
}

@Suite("Resolution to the ROME v3 pivot")
struct ResolutionTests {
    let taxonomy = try! Tiny.taxonomy()

    func code(_ body: () throws(FieldError) -> FicheCode) -> String {
        do { return try body().rawValue } catch { return error.code.rawValue }
    }

    @Test("each scheme")
    func schemes() {
        #expect(code { () throws(FieldError) in try taxonomy.resolve(.rome, code: "H2913") } == "H2913")
        #expect(code { () throws(FieldError) in try taxonomy.resolve(.rome, code: "Z9999") } == "UNKNOWN_OCCUPATION")
        #expect(code { () throws(FieldError) in try taxonomy.resolve(.rome, code: "H29") } == "UNKNOWN_OCCUPATION")
        #expect(code { () throws(FieldError) in try taxonomy.resolve(.rome4, code: "H2950") } == "H2909")
        #expect(code { () throws(FieldError) in try taxonomy.resolve(.rome4, code: "H2999") } == "UNKNOWN_OCCUPATION")
        #expect(code { () throws(FieldError) in try taxonomy.resolve(.ogr, code: "19475") } == "H2913")
        #expect(code { () throws(FieldError) in try taxonomy.resolve(.ogr, code: "404100") } == "H2909")
        #expect(code { () throws(FieldError) in try taxonomy.resolve(.ogr, code: "99999") } == "UNKNOWN_OCCUPATION")
        #expect(code { () throws(FieldError) in try taxonomy.resolve(.ogr, code: "9") } == "INVALID_VALUE")
    }

    @Test("Competent: identity, exceptions, no equivalent, unknown and missing versions")
    func competent() {
        #expect(code { () throws(FieldError) in try taxonomy.resolve(.competent, version: "2019", code: "H2913") } == "H2913")
        #expect(code { () throws(FieldError) in try taxonomy.resolve(.competent, version: "2019", code: "K1306") } == "K1304")
        #expect(code { () throws(FieldError) in try taxonomy.resolve(.competent, version: "2019", code: "D1216") } == "UNKNOWN_OCCUPATION")
        #expect(code { () throws(FieldError) in try taxonomy.resolve(.competent, version: "2019", code: "K1399") } == "UNKNOWN_OCCUPATION")
        #expect(code { () throws(FieldError) in try taxonomy.resolve(.competent, version: "2011", code: "H2913") } == "UNKNOWN_OCCUPATION")
        #expect(code { () throws(FieldError) in try taxonomy.resolve(.competent, code: "H2913") } == "MISSING_FIELD")
    }

    @Test("a record's occupation keeps the source as given beside the pivot")
    func occupation() throws {
        let adg = try taxonomy.occupation(source: OccupationSource(scheme: .rome, version: "4.0", code: "H2916"), appellation: "19475")
        #expect(adg.fiche.rawValue == "H2913")
        #expect(adg.appellation?.rawValue == "19475")
        #expect(adg.source.code == "H2916")
        let vdab = try taxonomy.occupation(source: OccupationSource(scheme: .competent, version: "2019", code: "K1306"), sourceLabel: "Poetshulp")
        #expect(vdab.fiche.rawValue == "K1304")
        #expect(vdab.sourceLabel == "Poetshulp")
    }

    @Test("an appellation of another fiche is OCCUPATION_MISMATCH on occupationAppellation")
    func mismatch() {
        #expect {
            _ = try taxonomy.occupation(source: OccupationSource(scheme: .rome, version: "3", code: "H2909"), appellation: "19475")
        } throws: { ($0 as? FieldError)?.code == .occupationMismatch && ($0 as? FieldError)?.field == "occupationAppellation" }
        #expect {
            _ = try taxonomy.occupation(source: OccupationSource(scheme: .rome, version: "5", code: "H2909"))
        } throws: { ($0 as? FieldError)?.code == .unknownOccupation }
    }

    @Test("labels by language, French where the label table has none")
    func labels() {
        #expect(taxonomy.nodes["H2913"]?.labels[.german] == "Schweißer")
        #expect(taxonomy.nodes["H2909"]?.labels[.dutch] == "Montage-assemblage mécanique")
        #expect(taxonomy.untranslated.contains("H2909"))
        #expect(taxonomy.lineage(of: "H2913").map(\.code) == ["H", "H29", "H2913"])
        #expect(taxonomy.appellationCounts[FicheCode(rawValue: "H2913")!] == 1)
    }

    @Test("content that does not hold together is refused")
    func inconsistent() {
        #expect(throws: TaxonomyError.self) {
            _ = try Taxonomy(v3: RomeV3Content(entries: [RomeEntry(code: "H29", label: "x")], appellations: []), labels: [:],
                             v4: RomeV4Content(codes: [], appellations: []), competent: [], provenance: "test")
        }
        #expect(throws: TaxonomyError.self) {
            _ = try Taxonomy(v3: RomeV3Content(entries: [RomeEntry(code: "H", label: "x")], appellations: []), labels: [:],
                             v4: RomeV4Content(codes: [Rome4Code(code: "H2913", parent: FicheCode(rawValue: "H2913")!, label: "x")], appellations: []),
                             competent: [], provenance: "test")
        }
    }
}
