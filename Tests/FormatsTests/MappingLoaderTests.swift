import Testing
@testable import Formats
import Model

@Suite("Format mapping files: checked at start-up, faults with their line")
struct MappingLoaderTests {
    static let valid = """
        format: demo
        recordType: vacancy
        syntax: json
        encoding: UTF-8
        document: { records: items, sender: from, created: at, createdPattern: rfc3339 }
        agencies: { VDAB: VDAB, FOREM: FOREM, ACTIRIS: ACTIRIS, ADG: ADG, BF: BF }
        fields:
          recordId: id
          version: v
          status:
            path: s
            codes: { o: OPEN, f: FILLED, c: CANCELLED }
          title: t
          titleLanguage: { value: fr }
          occupationScheme: { value: ROME }
          occupationVersion: { value: "3" }
          occupationCode: rome
          bottleneck: { path: b, "true": oui, "false": non }
          openPositions: n
          contractType:
            path: ct
            codes: { a: PERMANENT, b: FIXED_TERM, c: TEMP_AGENCY, d: REPLACEMENT }
          schedule:
            path: sc
            codes: { ft: FULL_TIME, pt: PART_TIME }
          hoursPerWeek: { path: h, decimal: "," }
          employerName: e.name
          enterpriseNumber: { path: e.kbo, spelling: vat }
          postcode: zip
          municipality: city
          publicationDate: { path: pub, pattern: dd/MM/yyyy }
        """

    func load(_ yaml: String) throws -> FormatMapping { try MappingLoader.load(yaml: yaml, file: "demo.yaml", name: "demo") }

    @Test("a valid mapping")
    func valid() throws {
        let m = try load(Self.valid)
        #expect(m.format == "demo")
        #expect(m.rule(.employerName)?.path == ["e", "name"])
        #expect(m.rule(.status)?.codes?.toCanonical["f"] == "FILLED")
        #expect(m.rule(.hoursPerWeek)?.decimal == .string(separator: ","))
        #expect(m.fields.first?.0 == .recordId)
    }

    /// A record as `raw(at:)` answers: the values by their path.
    struct Source: RecordSource {
        var values: [String: String]
        func raw(at path: [String]) -> RawValue { values[path.joined(separator: ".")].map { .text($0) } ?? .absent }
        func items(at path: [String]) -> [any RecordSource]? { [] }
    }

    @Test("a field marked personal: true has its faults said without its value; the same field unmarked quotes it")
    func personalField() throws {
        let marked = try load(Self.valid.replacingOccurrences(of: "postcode: zip", with: "postcode: { path: zip, personal: true }"))
        #expect(marked.rule(.postcode)?.personal == true && marked.personalItems == [CanonicalField.postcode.item])
        for (mapping, quoted) in [(marked, false), (try load(Self.valid), true)] {
            let reader = FieldReader(source: Source(values: ["h": "thirty-eight-and-a-half"]), mapping: mapping)
            _ = reader.text(.postcode)
            _ = reader.decimal(.hoursPerWeek)
            reader.record(FieldError(CanonicalField.postcode.item, .invalidPostcode, "'Rue des Secrets 7' is not a Belgian postcode"))
            let text = reader.errors.map(\.description).joined(separator: "\n")
            #expect(text.contains("Rue des Secrets 7") == quoted, "\(text)")
            #expect(text.contains("thirty-eight"), "an unmarked field still says what it found: \(text)")
        }
        #expect(throws: MappingError.self) { try load(Self.valid.replacingOccurrences(of: "postcode: zip", with: "postcode: { path: zip, personal: maybe }")) }
    }

    func fault(replacing old: String, with new: String) -> MappingError? {
        #expect(Self.valid.contains(old))
        do {
            _ = try load(Self.valid.replacingOccurrences(of: old, with: new))
            return nil
        } catch let error as MappingError {
            return error
        } catch {
            Issue.record("not a MappingError: \(error)")
            return nil
        }
    }

    @Test("an unknown canonical field names its line")
    func unknownField() {
        let e = fault(replacing: "  postcode: zip", with: "  postalcode: zip")
        #expect(e?.line == 29)
        #expect(e?.message.hasPrefix("unknown canonical field 'postalcode'") == true)
    }

    @Test("an incomplete code list names what it lacks")
    func incomplete() {
        let e = fault(replacing: "{ o: OPEN, f: FILLED, c: CANCELLED }", with: "{ o: OPEN, f: FILLED }")
        #expect(e?.line == 12)
        #expect(e?.message == "incomplete code list: the codes of status has no native value for CANCELLED")
    }

    @Test("other faults", arguments: [
        ("codes: { o: OPEN, f: FILLED, c: CANCELLED }", "codes: { o: OPEN, f: FILLED, c: CLOSED }", "'CLOSED' is not a canonical value"),
        ("  municipality: city\n", "", "does not say where municipality is"),
        ("spelling: vat", "spelling: dashes", "spelling is one of digits, dotted, vat"),
        ("pattern: dd/MM/yyyy", "pattern: MM/dd/yy", "pattern applies to dates"),
        ("syntax: json", "syntax: csv", "syntax is json or xml"),
        ("  title: t", "  title: { path: t, colour: red }", "unknown key 'colour'"),
        ("  title: t", "  title: { optional: true }", "needs a path, a value, or both"),
        ("  title: t", "  title: t..x", "not a path"),
        ("  title: t", "  nationalNumber: nn", "not a field of a vacancy record"),
        ("fields:", "fields: [", "not valid YAML"),
    ])
    func faults(_ old: String, _ new: String, _ fragment: String) {
        let e = fault(replacing: old, with: new)
        #expect(e?.message.contains(fragment) == true, "\(String(describing: e))")
        #expect(e?.file == "demo.yaml")
    }
}

@Suite("Canonical fields")
struct CanonicalFieldTests {
    @Test("each field's ordinal is its place among all cases")
    func ordinals() {
        #expect(CanonicalField.allCases.map(\.ordinal) == Array(0..<CanonicalField.allCases.count))
    }
}
