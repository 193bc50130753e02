import Formats
import Foundation
import Gateway
import LedgerTestSupport
import Model
import Taxonomy
import Testing

/// Translation through the project's own mappings, shipped taxonomy and fixtures.
enum Translation {
    static let catalog = try! Project.mappings.formatCatalog()
    static let taxonomy = try! Taxonomy(shipped: Project.mappings.shippedTaxonomy(), imported: nil)

    static func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Project.root.appendingPathComponent("fixtures/" + name)))
    }

    static func run(_ bytes: [UInt8], from: String, to: String, _ type: RecordType, receiver: Agency? = nil) throws -> (TranslationReport, [UInt8]) {
        let out = ByteWriter()
        let report = try Translator(source: catalog.format(from, type: type)!, target: catalog.format(to, type: type)!,
                                    taxonomy: taxonomy, envelope: EnvelopeFields(receiver: receiver ?? (from == "actiris" ? .vdab : .actiris)))
            .translate(ByteReader(bytes: bytes), into: out)
        return (report, out.collected)
    }

    /// The canonical records of a document, in order.
    static func records(_ bytes: [UInt8], format: String, _ type: RecordType) throws -> [CanonicalRecord] {
        let reading = catalog.format(format, type: type)!.reading(ByteReader(bytes: bytes), taxonomy: taxonomy)
        _ = try reading.open()
        var result: [CanonicalRecord] = []
        var index = 0
        while let decoded = try reading.next() {
            #expect(decoded.errors.isEmpty, "\(format) #\(index): \(decoded.errors)")
            if let r = decoded.record { result.append(r) }
            index += 1
        }
        return result
    }

    /// A record with what a translation may lose set aside: the occupation as given (code, scheme,
    /// version, label, appellation), titles and descriptions (language, translations), language
    /// levels (Actiris rounds), a trainee's linked vacancy and in-company scheme name.
    static func comparable(_ record: CanonicalRecord) -> CanonicalRecord {
        func core(_ o: Occupation) -> Occupation {
            Occupation(fiche: o.fiche, source: OccupationSource(scheme: .rome, version: "3", code: o.fiche.rawValue))
        }
        switch record {
        case .vacancy(var v):
            v.occupation = core(v.occupation)
            v.text = LocalizedText(language: .french, title: "")
            v.translations = []
            v.languages = v.languages.map { LanguageRequirement(language: $0.language, level: .a1) }
            return .vacancy(v)
        case .trainee(var t):
            t.occupation = core(t.occupation)
            t.linkedVacancy = nil
            t.scheme.nativeName = t.scheme.nativeName.map { _ in "" }
            return .trainee(t)
        }
    }

    static let fixtures: [String: String] = [
        "vdab/vacancy": "vdab/vacancies.json", "adg/vacancy": "adg/vacancies.json", "forem/vacancy": "forem/vacancies.xml",
        "actiris/vacancy": "actiris/vacancies.xml", "vdab/trainee": "vdab/trainees.json", "adg/trainee": "adg/trainees.json",
        "forem/trainee": "forem/trainees.xml", "bf/trainee": "bf/trainees.xml",
    ]

    static var pairs: [(String, String, RecordType)] {
        var result: [(String, String, RecordType)] = []
        for type in RecordType.allCases {
            let formats = catalog.names.filter { catalog.format($0, type: type) != nil }
            for a in formats where fixtures["\(a)/\(type.rawValue)"] != nil { for b in formats where a != b { result.append((a, b, type)) } }
        }
        return result
    }
}

@Suite("Translation between the regional formats", .bounded)
struct TranslationTests {
    @Test("every fixture translates to every other format of its record type and back, changing only what the losses list",
          arguments: Translation.pairs)
    func roundTrip(_ from: String, _ to: String, _ type: RecordType) throws {
        let original = try Translation.fixture(Translation.fixtures["\(from)/\(type.rawValue)"]!)
        let (there, middle) = try Translation.run(original, from: from, to: to, type)
        #expect(there.rejected == 0)
        #expect(there.translated == there.read)
        let (back, final) = try Translation.run(middle, from: to, to: from, type)
        #expect(back.rejected == 0)
        let before = try Translation.records(original, format: from, type), after = try Translation.records(final, format: from, type)
        #expect(before.count == after.count)
        #expect(before.map(Translation.comparable) == after.map(Translation.comparable))
        // What changed is exactly what was listed.
        for (i, (b, a)) in zip(before, after).enumerated() where b != a {
            let listed = (there.records + back.records).filter { $0.recordId == b.id.rawValue }.flatMap(\.losses)
            #expect(!listed.isEmpty, "record \(i) changed without a listed loss")
        }
    }

    @Test("the Competent exception and the ROME 4.0 parent are the pivot; losses say what was rewritten")
    func occupations() throws {
        let (report, out) = try Translation.run(try Translation.fixture("vdab/vacancies.json"), from: "vdab", to: "adg", .vacancy)
        let adg = try Translation.records(out, format: "adg", .vacancy)
        guard case .vacancy(let homeHelp) = adg[3] else { Issue.record("not a vacancy"); return }
        #expect(homeHelp.occupation.fiche.rawValue == "K1304")
        #expect(homeHelp.occupation.source == OccupationSource(scheme: .rome, version: "4.0", code: "K1304"))
        #expect(report.records[3].losses.contains("occupation COMPETENT 2019 K1306 written as ROME 4.0 K1304 (pivot K1304)"))

        let (_, back) = try Translation.run(try Translation.fixture("adg/vacancies.json"), from: "adg", to: "vdab", .vacancy)
        guard case .vacancy(let data) = try Translation.records(back, format: "vdab", .vacancy)[1] else { Issue.record("expected a vacancy record"); return }
        #expect(data.occupation.fiche.rawValue == "M1802")   // ROME 4.0 M1811 → its parent
    }

    @Test("free text survives: accents, &, <, emoji, line breaks")
    func freeText() throws {
        let (_, out) = try Translation.run(try Translation.fixture("vdab/vacancies.json"), from: "vdab", to: "adg", .vacancy)
        guard case .vacancy(let v) = try Translation.records(out, format: "adg", .vacancy)[0] else { Issue.record("expected a vacancy record"); return }
        #expect(v.text.description == "Je last roestvrij staal in een team van zes.\nPloegensysteem & premie, <geen> weekendwerk.")
        guard case .vacancy(let w) = try Translation.records(out, format: "adg", .vacancy)[1] else { Issue.record("expected a vacancy record"); return }
        #expect(w.text.title == "Ontwikkelaar Java ☕")
    }

    @Test("one bad record is rejected alone, with its id, field and code; the others go through")
    func badRecords() throws {
        var text = String(decoding: try Translation.fixture("vdab/vacancies.json"), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"0403.170.701\"", with: "\"0403.170.702\"")      // record 1: check digits
        text = text.replacingOccurrences(of: "\"competentCode\": \"N1103\"", with: "\"competentCode\": \"Z9999\"")   // record 3
        text = text.replacingOccurrences(of: "\"postcode\": \"3500\"", with: "\"postcode\": \"999\"")    // record 5
        let (report, out) = try Translation.run(Array(text.utf8), from: "vdab", to: "adg", .vacancy)
        #expect(report.read == 5)
        #expect(report.translated == 2)
        #expect(report.rejected == 3)
        let rejected = report.records.filter { !$0.rejections.isEmpty }
        #expect(rejected.map(\.recordId) == ["70012345", "70012347", "70012349"])
        #expect(rejected.map { $0.rejections.map(\.code) } == [["INVALID_ENTERPRISE_NUMBER"], ["UNKNOWN_OCCUPATION"], ["INVALID_POSTCODE"]])
        #expect(rejected.map { $0.rejections.map(\.field) } == [["enterpriseNumber"], ["occupation"], ["postcode"]])
        #expect(try Translation.records(out, format: "adg", .vacancy).map(\.id.rawValue) == ["70012346", "70012348"])
    }

    @Test("a record missing fields names each one")
    func missing() throws {
        let doc = #"{"bron": "VDAB", "vacatures": [{"vacatureId": "1", "versie": 1, "status": "open"}]}"#
        let (report, _) = try Translation.run(Array(doc.utf8), from: "vdab", to: "adg", .vacancy)
        let fields = report.records.first?.rejections.map(\.field) ?? []
        for field in ["title", "occupation", "bottleneck", "openPositions", "contractType", "schedule", "employerName", "postcode", "publicationDate"] {
            #expect(fields.contains(field), "\(field) not reported")
        }
        #expect(report.records.first?.rejections.allSatisfy { $0.code == "MISSING_FIELD" } == true)
    }

    @Test("another agency's in-company scheme is written under the target's name, listed, and restored on reading")
    func foreignScheme() throws {
        let (report, out) = try Translation.run(try Translation.fixture("vdab/trainees.json"), from: "vdab", to: "adg", .trainee)
        #expect(report.records[0].losses.contains("scheme IBO written as IBU: the adg format names its in-company scheme so"))
        #expect(String(decoding: out, as: UTF8.self).contains("\"massnahme\": \"IBU\""))
        guard case .trainee(let t) = try Translation.records(out, format: "adg", .trainee)[0] else { Issue.record("expected a trainee record"); return }
        #expect(t.scheme == .inCompany("IBO"))
        #expect(t.trainingAgency == .vdab)
    }

    @Test("a value outside the source's code list is INVALID_VALUE, not a guess")
    func outsideCodeList() throws {
        let text = String(decoding: try Translation.fixture("vdab/trainees.json"), as: UTF8.self)
            .replacingOccurrences(of: "\"maatregel\": \"CENTRUM\"", with: "\"maatregel\": \"AVONDSCHOOL\"")
        let (report, _) = try Translation.run(Array(text.utf8), from: "vdab", to: "adg", .trainee)
        #expect(report.rejected == 1)
        #expect(report.records.last?.rejections.first?.code == "INVALID_VALUE")
        #expect(report.records.last?.rejections.first?.message == "'AVONDSCHOOL' in maatregel is not one of CENTRUM, IBO")
    }

    @Test("VDAB's beroepsnaam is required: missing, the record is refused; for another agency's vacancy, the fiche's Dutch label is written, listed")
    func beroepsnaam() throws {
        let text = String(decoding: try Translation.fixture("vdab/vacancies.json"), as: UTF8.self)
            .replacingOccurrences(of: ", \"beroepsnaam\": \"Lasser\"", with: "").replacingOccurrences(of: ",\n        \"beroepsnaam\": \"Lasser\"", with: "")
        #expect(!text.contains("\"Lasser\""))
        let (report, _) = try Translation.run(Array(text.utf8), from: "vdab", to: "forem", .vacancy)
        #expect(report.rejected == 1)
        #expect(report.records.first { !$0.rejections.isEmpty }?.rejections.first.map { "\($0.field) \($0.code)" } == "occupation MISSING_FIELD")

        let (written, out) = try Translation.run(try Translation.fixture("forem/vacancies.xml"), from: "forem", to: "vdab", .vacancy)
        #expect(written.rejected == 0)
        let document = try JSONSerialization.jsonObject(with: Data(out)) as! [String: Any]
        let first = (document["vacatures"] as! [[String: Any]])[0]["beroep"] as! [String: Any]
        #expect(first["beroepsnaam"] as? String == Translation.taxonomy.fiche(FicheCode(rawValue: "H2913")!)?.labels.nl)
        #expect(written.records.first?.losses.contains { $0.hasPrefix("occupation label not given by the origin: written as fiche H2913's nl label") } == true)
        // And VDAB reads its own document back.
        #expect(try Translation.records(out, format: "vdab", .vacancy).count == written.translated)
    }

    @Test("Actiris hours are written as its export writes them: 38, 24.5")
    func actirisHours() throws {
        let (_, out) = try Translation.run(try Translation.fixture("vdab/vacancies.json"), from: "vdab", to: "actiris", .vacancy)
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.contains("hours=\"38\""), "\(text.prefix(600))")
        #expect(!text.contains("hours=\"38.0\""))
    }

    @Test("document errors stop the translation with their line")
    func documentErrors() throws {
        #expect { _ = try Translation.run(Array(#"{"vacatures": [{}], "aangemaakt": "2026-11-20T06:00:00+01:00"}"#.utf8), from: "vdab", to: "adg", .vacancy) } throws: {
            "\($0)".contains("the header has no \"bron\"")
        }
        // After the records, the header is read all the same (JSON member order has no meaning): the record is the fault.
        let (late, _) = try Translation.run(Array(#"{"vacatures": [{}], "bron": "VDAB"}"#.utf8), from: "vdab", to: "adg", .vacancy)
        #expect(late.read == 1 && late.rejected == 1)
        #expect { _ = try Translation.run(Array(#"{"bron": "LUX", "vacatures": []}"#.utf8), from: "vdab", to: "adg", .vacancy) } throws: {
            "\($0)".contains("names no agency")
        }
    }
}

@Suite("A sixth region is a mapping file, not Swift code", .bounded)
struct NewRegionTests {
    static let adem = """
        # A made-up format: the Luxembourg employment agency's vacancies, French keys.
        format: adem
        recordType: vacancy
        syntax: json
        encoding: UTF-8
        document: { records: postes, sender: expediteur, created: cree, createdPattern: rfc3339 }
        agencies: { VDAB: VDAB, FOREM: FOREM, ACTIRIS: ACTIRIS, ADG: ADG, BF: BF }
        fields:
          recordId: ref
          version: rev
          status:
            path: etat
            codes: { actif: OPEN, pourvu: FILLED, annule: CANCELLED }
          title: poste.titre
          titleLanguage: { value: fr }
          description: { path: poste.texte, optional: true }
          occupationScheme: { value: ROME }
          occupationVersion: { value: "3" }
          occupationCode: poste.rome
          occupationAppellation: { path: poste.ogr, optional: true }
          bottleneck: { path: penurie, "true": O, "false": N }
          openPositions: nombre
          contractType:
            path: contrat
            codes: { CDI: PERMANENT, CDD: FIXED_TERM, INT: TEMP_AGENCY, REMP: REPLACEMENT }
          schedule:
            path: horaire
            codes: { TP: FULL_TIME, TPP: PART_TIME }
          hoursPerWeek: { path: heures, decimal: "," }
          employerName: employeur.nom
          enterpriseNumber: { path: employeur.tva, spelling: vat }
          postcode: lieu.cp
          municipality: lieu.localite
          languages: { path: langues, optional: true, language: code, level: niveau }
          publicationDate: { path: publie, pattern: dd/MM/yyyy }
          closingDate: { path: cloture, pattern: dd/MM/yyyy, optional: true }
        """

    @Test("a mapping file dropped into mappings/formats/ is a new format: VDAB vacancies to it and back")
    func addedFromFile() throws {
        let temp = TemporaryFolder()
        let folder = try temp.mappingsCopy()
        try Self.adem.write(toFile: folder.formatsFolder + "/adem-vacancy.yaml", atomically: true, encoding: .utf8)
        let catalog = try folder.formatCatalog()
        #expect(catalog.names.contains("adem"))
        let adem = catalog.format("adem", type: .vacancy)!
        let vdab = catalog.format("vdab", type: .vacancy)!
        let original = try Translation.fixture("vdab/vacancies.json")
        let out = ByteWriter()
        let there = try Translator(source: vdab, target: adem, taxonomy: Translation.taxonomy).translate(ByteReader(bytes: original), into: out)
        #expect(there.translated == 5)
        let text = String(decoding: out.collected, as: UTF8.self)
        #expect(text.contains("\"tva\": \"BE0403170701\""))
        #expect(text.contains("\"heures\": \"19,5\""))
        #expect(text.contains("\"penurie\": \"O\""))
        let back = ByteWriter()
        let report = try Translator(source: adem, target: vdab, taxonomy: Translation.taxonomy).translate(ByteReader(bytes: out.collected), into: back)
        #expect(report.rejected == 0)
        let before = try Translation.records(original, format: "vdab", .vacancy), after = try Translation.records(back.collected, format: "vdab", .vacancy)
        #expect(before.map(Translation.comparable) == after.map(Translation.comparable))
    }
}

@Suite("Broken fixtures get exactly the rejection they are listed with", .bounded)
struct BrokenFixtureTests {
    struct Expected: Decodable, Sendable, CustomTestStringConvertible {
        var file: String, format: String, type: String, recordId: String, field: String, code: String
        var testDescription: String { file }
    }

    static let expected: [Expected] = {
        let data = FileManager.default.contents(atPath: Project.root.appendingPathComponent("fixtures/broken/expected.json").path)!
        return try! JSONDecoder().decode([Expected].self, from: data)
    }()

    @Test("one record rejected, with its field and code; the others translated", arguments: expected)
    func broken(_ e: Expected) throws {
        let type = RecordType(rawValue: e.type)!
        let target = e.format == "vdab" ? (type == .vacancy ? "forem" : "bf") : "vdab"
        let (report, _) = try Translation.run(try Translation.fixture("broken/" + e.file), from: e.format, to: target, type)
        let rejected = report.records.filter { !$0.rejections.isEmpty }
        #expect(rejected.map(\.recordId) == [e.recordId])
        #expect(rejected.first?.rejections.map { "\($0.field) \($0.code)" } == ["\(e.field) \(e.code)"], "\(rejected.first?.rejections ?? [])")
        #expect(report.translated == report.read - 1)
    }
}
