import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import Model
import Taxonomy
import Testing

@Suite("gateway taxonomy import", .bounded)
struct TaxonomyImportTests {
    let shipped = try! Project.mappings.shippedTaxonomy()

    @Test("the real official files, into a real store, then in force", .enabled(if: Project.sharedDataAvailable, Project.skipMessage))
    func real() async throws {
        let temp = TemporaryFolder()
        let storePath = temp.path("var/gateway.sqlite")
        let report = try await TaxonomyImport(romeV3: Project.romeV3, romeV4Folder: Project.romeV4)
            .run(into: try SQLiteStore(path: storePath), shipped: shipped)
        #expect([report.grandDomains, report.domains, report.fiches, report.v3Appellations] == [14, 110, 532, 11_118])
        #expect([report.v4Codes, report.v4Appellations] == [1_584, 13_120])
        #expect(report.appellationsKept == 11_118)
        #expect(report.appellationsMissingInV4 == [])
        #expect(report.appellationsMovedInV4 == [])
        #expect(report.untranslated == [])

        let taxonomy = try await TaxonomyInForce.load(mappings: Project.mappings, storePath: storePath)
        #expect(taxonomy.appellations.count == 11_118)
        #expect(taxonomy.rome4Codes.count == 1_584)
        #expect(taxonomy.rome4Appellations.count == 13_120)
        #expect(taxonomy.rome4Codes.values.allSatisfy { taxonomy.fiche($0.parent) != nil })
        for a in taxonomy.appellations.values {
            #expect(taxonomy.rome4Appellations[a.code]?.fiche == a.fiche)
        }
        #expect(taxonomy.appellationCounts.values.reduce(0, +) == 11_118)
        #expect(taxonomy.nodes["M1805"]?.labels.nl == "Informatica-ontwikkelaar")
        #expect(taxonomy.provenance.contains("arbo_rome_ogr_202107.csv"))
    }

    @Test("a file that breaks the combined taxonomy is refused and the store keeps what it had")
    func untouched() async throws {
        let temp = TemporaryFolder()
        let store = MemoryTaxonomyStore()
        let good = try temp.write("good/arbo_rome_ogr_1.csv", "Rome1;Rome2;Rome3;Intitule;OGR\n" + shipped.v3.entries.map {
            let c = Array($0.code)
            let parts = [String(c[0]), c.count > 1 ? String(c[1...2]) : " ", c.count > 3 ? String(c[3...4]) : " "]
            return parts.joined(separator: ";") + ";" + $0.label.replacingOccurrences(of: ",", with: ";").quotedIfNeeded + "; "
        }.joined(separator: "\n") + "\n")
        let first = try await TaxonomyImport(romeV3: good, romeV4Folder: nil).run(into: store, shipped: shipped)
        #expect(first.fiches == 532)
        let before = try store.importedTaxonomy()

        // Well-formed on its own, but without fiche M1802, the parent of shipped ROME 4.0 code M1811.
        let lacking = try temp.write("bad/arbo_rome_ogr_2.csv", "Rome1;Rome2;Rome3;Intitule;OGR\nM; ; ;Support; \nM;18; ;SI; \nM;18;05;Dev; \n")
        await #expect(throws: TaxonomyError.self) { _ = try await TaxonomyImport(romeV3: lacking, romeV4Folder: nil).run(into: store, shipped: shipped) }
        #expect(try store.importedTaxonomy() == before)

        let malformed = try temp.write("bad/arbo_rome_ogr_3.csv", "Rome1;Rome2;Rome3;Intitule;OGR\nM; ; ;Support\n")
        await #expect { _ = try await TaxonomyImport(romeV3: malformed, romeV4Folder: nil).run(into: store, shipped: shipped) } throws: {
            "\($0)" == "\(malformed):2: expected 5 fields (Rome1;Rome2;Rome3;Intitule;OGR), found 4"
        }
        #expect(try store.importedTaxonomy() == before)
    }

    @Test("a ROME 4.0 folder without its files names what is missing")
    func missingFiles() async throws {
        let temp = TemporaryFolder()
        _ = try temp.write("RefRomeCsv/unix_referentiel_code_rome_v460_utf8.csv", "\"code_rome\",\"code_rome_parent\",\"libelle_rome\"\n")
        await #expect { _ = try await TaxonomyImport(romeV3: nil, romeV4Folder: temp.path("RefRomeCsv")).run(into: MemoryTaxonomyStore(), shipped: shipped) } throws: {
            "\($0)".contains("no ROME 4.0 appellation file (unix_referentiel_appellation_*.csv)")
        }
        await #expect(throws: GatewayError.self) { _ = try await TaxonomyImport(romeV3: nil, romeV4Folder: nil).run(into: MemoryTaxonomyStore(), shipped: shipped) }
        await #expect(throws: GatewayError.self) { _ = try await TaxonomyImport(romeV3: temp.path("none.csv"), romeV4Folder: nil).run(into: MemoryTaxonomyStore(), shipped: shipped) }
    }

    @Test("a ROME 4.0 import keeps the ROME v3 import already stored")
    func partial() async throws {
        let temp = TemporaryFolder()
        let store = MemoryTaxonomyStore(ImportedTaxonomy(importedAt: "2026-01-01T00:00:00Z", v3: shipped.v3, v3Sources: ["arbo_rome_ogr_x.csv"],
                                                              v4: nil, v4Sources: []))
        _ = try temp.write("v4/unix_referentiel_code_rome_v1_utf8.csv", "\"code_rome\",\"code_rome_parent\",\"libelle_rome\"\n\"M1811\",\"M1802\",\"Data engineer\"\n")
        _ = try temp.write("v4/unix_referentiel_appellation_v1_utf8.csv",
                           "\"code_ogr\",\"libelle_appellation_long\",\"code_rome\",\"code_rome_parent\"\n\"404100\",\"Data engineer\",\"M1811\",\"M1802\"\n")
        let report = try await TaxonomyImport(romeV3: nil, romeV4Folder: temp.path("v4")).run(into: store, shipped: shipped)
        #expect(report.v4Codes == 1)
        let stored = try store.importedTaxonomy()
        #expect(stored?.v3 == shipped.v3)
        #expect(stored?.sources == ["arbo_rome_ogr_x.csv", "unix_referentiel_code_rome_v1_utf8.csv", "unix_referentiel_appellation_v1_utf8.csv"])
        let taxonomy = try Taxonomy(shipped: shipped, imported: stored)
        #expect(try taxonomy.resolve(.ogr, code: "404100").rawValue == "M1802")
        #expect(taxonomy.rome4Codes["H2913"] == nil)
    }
}

@Suite("What taxonomy show and resolve print", .bounded)
struct CodeDescriptionTests {
    let taxonomy = try! Taxonomy(shipped: Project.mappings.shippedTaxonomy(), imported: nil)

    @Test("a fiche: kind, three labels, parent chain, appellation count")
    func fiche() {
        let found = CodeDescription.all(of: "H2913", in: taxonomy, language: nil)
        #expect(found.map(\.kind) == ["fiche", "ROME 4.0 code"])
        #expect(found[0].labels == ["fr": "Soudage manuel", "nl": "Lasser", "de": "Schweißer"])
        #expect(found[0].parents.map(\.code) == ["H", "H29"])
        #expect(found[0].appellationCount == taxonomy.appellationCounts[FicheCode(rawValue: "H2913")!])
        #expect(found[0].text.contains("appellations  "))
    }

    @Test("one language, for a domaine")
    func domain() {
        let found = CodeDescription.all(of: "H29", in: taxonomy, language: .german)
        #expect(found.count == 1)
        #expect(found[0].labels == ["de": "Mechanik, Metallbearbeitung und Werkzeugbau"])
        #expect(found[0].parents.map(\.label) == ["Industrie"])
    }

    @Test("an unknown code has no description")
    func unknown() { #expect(CodeDescription.all(of: "Z99", in: taxonomy, language: nil).isEmpty) }

    @Test("a resolution names exceptions")
    func resolution() throws {
        let r = try Resolution.of(.competent, version: "2019", code: "K1306", in: taxonomy, language: .dutch)
        #expect(r.text == "COMPETENT 2019 K1306 → K1304  Huishoudelijke diensten  (listed exception)")
        #expect(try Resolution.of(.rome4, version: nil, code: "M1811", in: taxonomy, language: .french).exception == false)
    }
}

extension String {
    /// Quoted as the ROME v3 file quotes labels that held commas.
    var quotedIfNeeded: String { contains(";") ? "\"\(self)\"" : self }
}
