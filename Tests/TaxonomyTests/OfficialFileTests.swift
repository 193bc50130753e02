import Model
import Testing
@testable import Taxonomy

@Suite("Official ROME files: faults named by file and line")
struct OfficialFileFaultTests {
    let header = "Rome1;Rome2;Rome3;Intitule;OGR\n"
    let tree = "A; ; ;Agriculture; \nA;11; ;Engins; \nA;11;01;Conduite d'engins; \n"

    func v3(_ text: String) throws -> RomeV3Content { try OfficialFiles.romeV3(Array(text.utf8), file: "arbo.csv") }

    @Test("a small well-formed tree, commas restored in labels")
    func wellFormed() throws {
        let content = try v3(header + tree + "A;11;01;\"Conducteur; conductrice\";11987\n")
        #expect(content.entries.map(\.code) == ["A", "A11", "A1101"])
        #expect(content.appellations.first?.label == "Conducteur, conductrice")
        #expect(content.appellations.first?.fiche.rawValue == "A1101")
    }

    @Test("a file of another kind is refused at line 1")
    func wrongKind() {
        #expect { _ = try v3("\"code_rome\",\"code_rome_parent\"\n\"A1101\",\"A1101\"\n") } throws: {
            ($0 as? TaxonomyError)?.line == 1 && "\($0)".contains("not a ROME v3 tree file")
        }
    }

    @Test("faults", arguments: [
        ("A;11; ;Engins\n", 2, "expected 5 fields"),
        ("Z;11; ;Zeta; \n", 2, "unknown code 'Z11'"),
        ("A;1; ;Engins; \n", 2, "not a ROME v3 code"),
        ("A;11; ;Encore; \n", 5, "listed twice (first at line 3)"),
        ("A;11;01;Bad;12\n", 5, "not an OGR code"),
        ("A;11; ;Bad;11987\n", 5, "must sit under a fiche"),
        ("A;11;01; ; \n", 5, "label (Intitule) is empty"),
    ])
    func faults(_ extra: String, _ line: Int, _ text: String) {
        let input = header + (line == 2 ? extra + tree : tree + extra)
        #expect { _ = try v3(input) } throws: { error in
            let e = error as? TaxonomyError
            return e?.file == "arbo.csv" && e?.line == line && e?.message.contains(text) == true
        }
    }

    @Test("a code whose parent the file lacks")
    func orphan() {
        #expect { _ = try v3(header + "B; ; ;Arts; \nA;11;01;Conduite; \n") } throws: {
            ($0 as? TaxonomyError)?.line == 3 && "\($0)".contains("belongs to A11")
        }
    }

    @Test("ROME 4.0 codes: the parent must be a v3 fiche; rows must have the header's shape")
    func v4Codes() {
        let fiches: Set<FicheCode> = [FicheCode(rawValue: "A1101")!]
        let head = "\"code_rome\",\"libelle_rome\",\"code_rome_parent\"\n"
        #expect(throws: Never.self) {
            _ = try OfficialFiles.romeV4Codes(Array((head + "\"A1102\",\"x\",\"A1101\"\n").utf8), file: "codes.csv", fiches: fiches)
        }
        #expect { _ = try OfficialFiles.romeV4Codes(Array((head + "\"A1102\",\"x\",\"A1199\"\n").utf8), file: "codes.csv", fiches: fiches) } throws: {
            ($0 as? TaxonomyError)?.line == 2 && "\($0)".contains("code_rome_parent of A1102 is 'A1199', not a ROME v3 fiche")
        }
        #expect { _ = try OfficialFiles.romeV4Codes(Array((head + "\"A1102\",\"x\"\n").utf8), file: "codes.csv", fiches: fiches) } throws: {
            ($0 as? TaxonomyError)?.line == 2 && "\($0)".contains("expected 3 fields")
        }
        #expect { _ = try OfficialFiles.romeV4Codes(Array("Rome1;Rome2\n".utf8), file: "codes.csv", fiches: fiches) } throws: {
            "\($0)".contains("lacks code_rome")
        }
    }
}

@Suite("The real official files", .enabled(if: SharedData.available, SharedData.skipMessage))
struct RealOfficialFileTests {
    @Test("ROME v3: 14 grands domaines, 110 domaines, 532 fiches, 11,118 appellations; ROME 4.0: 1,584 codes, 13,120 appellations")
    func counts() throws {
        let v3 = try OfficialFiles.romeV3(try SharedData.bytes(SharedData.romeV3), file: SharedData.romeV3)
        #expect(v3.count(.grandDomain) == 14)
        #expect(v3.count(.domain) == 110)
        #expect(v3.count(.fiche) == 532)
        #expect(v3.appellations.count == 11_118)

        let fiches = Set(v3.entries.compactMap { FicheCode(rawValue: $0.code) })
        let codes = try OfficialFiles.romeV4Codes(try SharedData.bytes(SharedData.codes), file: SharedData.codes, fiches: fiches)
        #expect(codes.count == 1_584)
        #expect(codes.allSatisfy { fiches.contains($0.parent) })
        // Every v3 fiche is also a ROME 4.0 code of its own (what writing ADG's format relies on).
        #expect(Set(codes.filter { $0.code == $0.parent.rawValue }.map(\.parent)) == fiches)
        let appellations = try OfficialFiles.romeV4Appellations(try SharedData.bytes(SharedData.appellations), file: SharedData.appellations,
                                                                codes: Set(codes.map(\.code)), fiches: fiches)
        #expect(appellations.count == 13_120)

        let continuity = AppellationContinuity(v3: v3, v4: RomeV4Content(codes: codes, appellations: appellations))
        #expect(continuity.kept == 11_118)
        #expect(continuity.missing.isEmpty)
        #expect(continuity.moved.isEmpty)
    }

    @Test("labels keep their accents and their commas")
    func labels() throws {
        let v3 = try OfficialFiles.romeV3(try SharedData.bytes(SharedData.romeV3), file: SharedData.romeV3)
        let byCode = Dictionary(uniqueKeysWithValues: v3.entries.map { ($0.code, $0.label) })
        #expect(byCode["A"] == "Agriculture et Pêche, Espaces naturels et Espaces verts, Soins aux animaux")
        #expect(byCode["M1805"] == "Études et développement informatique")
        #expect(v3.appellations.first { $0.code.rawValue == "19475" }?.fiche.rawValue == "H2913")
    }
}
