import Foundation
import Gateway
import LedgerTestSupport
import Model
import Taxonomy
import Testing

@Suite("The shipped taxonomy (mappings/taxonomy)", .bounded)
struct ShippedTaxonomyTests {
    let taxonomy = try! Taxonomy(shipped: Project.mappings.shippedTaxonomy(), imported: nil)

    @Test("the whole ROME v3 tree: 14 grands domaines, 110 domaines, 532 fiches")
    func tree() {
        #expect(taxonomy.count(.grandDomain) == 14)
        #expect(taxonomy.count(.domain) == 110)
        #expect(taxonomy.count(.fiche) == 532)
        #expect(taxonomy.untranslated.isEmpty)
    }

    @Test("every code has a French, Dutch and German label")
    func labels() {
        for node in taxonomy.nodes.values {
            for language in [LanguageCode.french, .dutch, .german] {
                #expect(!node.labels[language].trimmingCharacters(in: .whitespaces).isEmpty, "\(node.code) has no \(language) label")
            }
        }
    }

    @Test("Dutch and German labels are translations, not copies of the French")
    func translated() {
        let nodes = Array(taxonomy.nodes.values)
        let sameDutch = nodes.filter { $0.labels.nl == $0.labels.fr }.map(\.code)
        let sameGerman = nodes.filter { $0.labels.de == $0.labels.fr }.map(\.code)
        // A few words are the same in all three languages (Marketing, Psychologie, Sommelier…).
        #expect(sameDutch.count < 20, "Dutch identical to French: \(sameDutch.sorted())")
        #expect(sameGerman.count < 20, "German identical to French: \(sameGerman.sorted())")
    }

    @Test("the codes of the specifications' examples resolve without an import")
    func examples() throws {
        #expect(try taxonomy.resolve(.competent, version: "2019", code: "H2913").rawValue == "H2913")
        #expect(try taxonomy.resolve(.competent, version: "2019", code: "M1805").rawValue == "M1805")
        #expect(try taxonomy.resolve(.rome4, code: "M1811").rawValue == "M1802")
        let forem = try taxonomy.occupation(source: OccupationSource(scheme: .rome, version: "3", code: "H2913"), appellation: "19475")
        #expect(forem.fiche.rawValue == "H2913")
        let adg = try taxonomy.occupation(source: OccupationSource(scheme: .rome, version: "4.0", code: "H2913"), appellation: "19475")
        #expect(adg.appellation?.rawValue == "19475")
        #expect(try taxonomy.resolve(.ogr, code: "14148").rawValue == "M1805")
    }

    @Test("both Competent versions are there, with their exceptions")
    func competent() throws {
        #expect(taxonomy.competentVersions == ["2012", "2019"])
        #expect(try taxonomy.resolve(.competent, version: "2019", code: "K1306").rawValue == "K1304")
        #expect(throws: FieldError.self) { try taxonomy.resolve(.competent, version: "2012", code: "D1216") }
    }
}

@Suite("Broken mappings stop the start with file and line", .bounded)
struct BrokenMappingTests {
    func breaking(_ name: String, replace old: String, with new: String) throws -> TaxonomyError? {
        let temp = TemporaryFolder()
        let mappings = try temp.mappingsCopy()
        let file = mappings.taxonomyFolder + "/" + name
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains(old))
        try text.replacingOccurrences(of: old, with: new).write(toFile: file, atomically: true, encoding: .utf8)
        do {
            _ = try mappings.shippedTaxonomy()
            return nil
        } catch let error as TaxonomyError {
            return error
        }
    }

    func line(of text: String, in name: String) throws -> Int {
        let lines = try String(contentsOfFile: Project.mappings.taxonomyFolder + "/" + name, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        return lines.firstIndex { $0.contains(text) }! + 1
    }

    @Test("a missing Dutch label")
    func missingLabel() throws {
        let error = try breaking("rome-v3.tsv", replace: "\tInformatica-ontwikkelaar\t", with: "\t\t")
        #expect(error?.line == (try line(of: "Informatica-ontwikkelaar", in: "rome-v3.tsv")))
        #expect(error?.message == "M1805 has no nl label")
        #expect(error?.file.hasSuffix("taxonomy/rome-v3.tsv") == true)
    }

    @Test("a Competent exception to an unknown fiche")
    func unknownFiche() throws {
        let error = try breaking("competent-2019.tsv", replace: "K1306\tK1304", with: "K1306\tK9999")
        #expect(error?.line == (try line(of: "K1306\tK1304", in: "competent-2019.tsv")))
        #expect(error?.message.contains("is 'K9999', not a ROME v3 fiche") == true)
    }

    @Test("a row with a missing column")
    func shape() throws {
        let error = try breaking("rome-v4.tsv", replace: "M1811\tM1802\t", with: "M1811\tM1802 ")
        #expect(error?.message.contains("expected 3 fields") == true)
    }

    @Test("a mappings folder that is not one")
    func notMappings() {
        #expect(throws: GatewayError.self) { _ = try MappingsFolder.locate(explicit: "/nonexistent") }
    }
}
