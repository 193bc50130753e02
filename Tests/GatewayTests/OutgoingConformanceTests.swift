import Files
import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import Logging
import Model
import Testing

/// What a gateway sends passes the profile, whatever its agency exported: every fixture and every
/// broken fixture is picked up by its agency's gateway, routed to every other agency, and each batch
/// that goes out is checked by `validate_records.py` (and, in the XML form, read back whole by
/// this gateway's own reader).
@Suite("Every batch that goes out passes the profile, whatever the regional input", .bounded, .serialized)
struct OutgoingConformanceTests {
    /// Each agency's exports: its fixtures, and the broken fixtures of its formats.
    static let exports: [(agency: Agency, file: String, type: RecordType)] = {
        var exports: [(Agency, String, RecordType)] = Translation.fixtures.map { key, file in
            let parts = key.split(separator: "/")
            return (Agency(rawValue: parts[0].uppercased())!, file, RecordType(rawValue: String(parts[1]))!)
        }
        let broken = try! JSONSerialization.jsonObject(with: Data(contentsOf: Project.root.appendingPathComponent("fixtures/broken/expected.json"))) as! [[String: String]]
        for b in broken {
            exports.append((Agency(rawValue: b["format"]!.uppercased())!, "broken/" + b["file"]!, RecordType(rawValue: b["type"]!)!))
        }
        return exports.sorted { ($0.1, $0.0.rawValue) < ($1.1, $1.0.rawValue) }
    }()

    /// The agency's gateway picking up `documents` (name → bytes, by type) and queuing what it
    /// reads for every other agency, in `encoding`; the batches it queued, and the pick-up's entries.
    static func pickUp(_ agency: Agency, _ documents: [(name: String, type: RecordType, bytes: [UInt8])], encoding: BatchForm)
        async throws -> (batches: [(id: String, body: [UInt8], form: BatchForm)], entries: [PickupEntry]) {
        let temp = TemporaryFolder()
        let store = try SQLiteStore(path: temp.path("ledger.sqlite"))
        let others = AgencyDirectory.profile.codes.filter { $0 != agency }
        let format = agency.rawValue.lowercased()
        let pickup = Pickup(agency: agency,
                            settings: PickupSettings(folder: temp.path("outgoing"), formats: [.vacancy: format, .trainee: format], schedule: .every(60)),
                            peers: Dictionary(uniqueKeysWithValues: others.map { ($0, PickupPlan.Peer(sends: [.vacancy, .trainee], encoding: encoding)) }),
                            routing: Routing(rules: [RoutingRule(recordType: .vacancy, destination: .peers(Set(others))),
                                                     RoutingRule(recordType: .trainee, destination: .peers(Set(others)))]),
                            catalog: Translation.catalog, taxonomy: Translation.taxonomy, store: store, logger: Logger(label: "test.pickup"))
        for d in documents {
            let folder = temp.path("outgoing/\(d.type.rawValue)")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try PrivateFiles.writeAtomically(d.bytes, to: LocalFiles.join(folder, d.name))
        }
        let entries = try await pickup.run()
        var batches: [(String, [UInt8], BatchForm)] = []
        for b in try await store.batches(BatchFilter(direction: .sent)) {
            let payload = try #require(try await store.payload(of: b.batchId, direction: .sent))
            batches.append((b.batchId, payload.bytes, payload.form))
        }
        withExtendedLifetime(temp) {}
        return (batches, entries)
    }

    /// Runs `validate_records.py` on each batch (the XML form as its JSON twin, made by this
    /// gateway's reader, which must take every record); returns its output.
    static func validate(_ batches: [(id: String, body: [UInt8], form: BatchForm)]) async throws -> (status: Int32, output: String, records: Int) {
        let temp = TemporaryFolder()
        var files: [String] = [], records = 0
        for b in batches {
            var json = b.body
            if b.form == .xml {
                let read = try ExchangeFormat.readBatch(b.body, form: .xml, taxonomy: Translation.taxonomy)
                let refused = read.records.filter { $0.record == nil }
                #expect(refused.isEmpty, "our own reader refuses what we sent: \(refused.map { "\($0.recordId): \($0.errors)" })")
                let type = RecordType(rawValue: read.envelope["recordType"] ?? "")!
                let out = ByteWriter()
                _ = try Translator(source: ExchangeFormat(form: .xml, recordType: type), target: ExchangeFormat(form: .json, recordType: type),
                                   taxonomy: Translation.taxonomy,
                                   envelope: EnvelopeFields(receiver: Agency(rawValue: read.envelope["receiver"]!)!, batchId: b.id))
                    .translate(ByteReader(bytes: b.body), into: out)
                out.flush()
                json = out.collected
            } else {
                let read = try ExchangeFormat.readBatch(b.body, form: .json, taxonomy: Translation.taxonomy)
                #expect(read.records.allSatisfy { $0.record != nil }, "our own reader refuses what we sent: \(read.records.filter { $0.record == nil }.map(\.errors))")
            }
            records += try ExchangeFormat.readBatch(json, form: .json, taxonomy: Translation.taxonomy).records.count
            files.append(try temp.write("\(b.id).json", String(decoding: json, as: UTF8.self)))
        }
        let (status, output) = try await Python.run([ExchangeProfileTests.validator] + files)
        return (status, output, records)
    }

    static let validatorPresent = Python.available && FileManager.default.fileExists(atPath: ExchangeProfileTests.validator)

    @Test("every fixture and broken fixture, picked up and sent to every other agency, in both forms",
          .enabled(if: validatorPresent, "python3 with jsonschema, or ../shared/specs, is absent: skipped"),
          arguments: exports.map { "\($0.agency.rawValue) \($0.file)" }, [BatchForm.json, .xml])
    func everyExport(_ key: String, _ encoding: BatchForm) async throws {
        let export = try #require(Self.exports.first { "\($0.agency.rawValue) \($0.file)" == key })
        let name = String(export.file.split(separator: "/").last!)
        let (batches, entries) = try await Self.pickUp(export.agency, [(name, export.type, try Translation.fixture(export.file))], encoding: encoding)
        let entry = try #require(entries.first)
        #expect(entry.outcome == .done, "\(entry.report)")
        #expect(entry.records == entry.queued + entry.rejected + entry.unchanged + entry.notRouted)
        #expect(entry.queued > 0, "\(entry.report)")
        if export.file.hasPrefix("broken/") { #expect(entry.rejected == 1, "\(entry.report)") } else { #expect(entry.rejected == 0, "\(entry.report)") }
        let (status, output, records) = try await Self.validate(batches)
        #expect(status == 0, "\(output)")
        // One batch per other agency, each with every record queued.
        #expect(records == entry.queued * (AgencyDirectory.profile.codes.count - 1))
        #expect(output.components(separatedBy: ": valid").count - 1 == records, "\(output)")
    }

    @Test("padded text goes out trimmed; a title in a language the profile does not carry goes out without it, listed; a title in that language alone is refused",
          .enabled(if: validatorPresent, "python3 with jsonschema, or ../shared/specs, is absent: skipped"))
    func regionalOddities() async throws {
        var vdab = String(decoding: try Translation.fixture("vdab/vacancies.json"), as: UTF8.self)
        vdab = vdab.replacingOccurrences(of: "\"titel\": \"Lasser TIG\"", with: "\"titel\": \"  Lasser TIG \\t\"")
        #expect(vdab.contains("Lasser TIG \\t"))
        let (vdabBatches, vdabEntries) = try await Self.pickUp(.vdab, [("padded.json", .vacancy, Array(vdab.utf8))], encoding: .json)
        #expect(vdabEntries.first?.rejected == 0)
        let vdabCheck = try await Self.validate(vdabBatches)
        #expect(vdabCheck.status == 0, "\(vdabCheck.output)")
        #expect(vdabBatches.allSatisfy { String(decoding: $0.body, as: UTF8.self).contains("\"positionTitle\":\"Lasser TIG\"") })

        var actiris = String(decoding: try Translation.fixture("actiris/vacancies.xml"), as: UTF8.self)
        // The first offer gets an English title beside its two; the third has an English title only.
        actiris = actiris.replacingOccurrences(of: "<Title lang=\"nl\">Informaticus ontwikkelaar</Title>",
                                               with: "<Title lang=\"nl\">Informaticus ontwikkelaar</Title>\n    <Title lang=\"en\">Software developer</Title>")
        actiris = actiris.replacingOccurrences(of: "<Title lang=\"fr\">Commis de cuisine</Title>", with: "<Title lang=\"en\">Kitchen assistant</Title>")
        let (batches, entries) = try await Self.pickUp(.actiris, [("languages.xml", .vacancy, Array(actiris.utf8))], encoding: .xml)
        let entry = try #require(entries.first)
        #expect(entry.rejected == 1, "\(entry.report)")
        #expect(entry.report.contains("title INVALID_VALUE") && entry.report.contains("nl, fr or de"), "\(entry.report)")
        #expect(entry.report.contains("title in en not carried"), "\(entry.report)")
        let check = try await Self.validate(batches)
        #expect(check.status == 0, "\(check.output)")
        #expect(!batches.contains { String(decoding: $0.body, as: UTF8.self).contains("Software developer") })
    }

    @Test("a trainee record of another training agency is not sent under this agency's name: refused at pick-up, with its reason")
    func traineeOfAnotherAgency() async throws {
        var vdab = String(decoding: try Translation.fixture("vdab/trainees.json"), as: UTF8.self)
        let first = try #require(vdab.range(of: "\"opleider\": \"VDAB\""))
        vdab.replaceSubrange(first, with: "\"opleider\": \"FOREM\"")
        let (batches, entries) = try await Self.pickUp(.vdab, [("trainees.json", .trainee, Array(vdab.utf8))], encoding: .json)
        let entry = try #require(entries.first)
        #expect(entry.rejected == 1, "\(entry.report)")
        #expect(entry.report.contains("trainingAgency INVALID_VALUE") && entry.report.contains("FOREM's gateway sends it"), "\(entry.report)")
        for b in batches {
            let read = try ExchangeFormat.readBatch(b.body, form: b.form, taxonomy: Translation.taxonomy)
            #expect(read.sender == .vdab)
            #expect(read.records.allSatisfy { $0.record?.owner == .vdab })
        }
    }
}
