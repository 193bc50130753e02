import Formats
import Foundation
import LedgerTestSupport
import Model
import Taxonomy
import Testing

@Suite("The exchange profile", .bounded)
struct ExchangeProfileTests {
    static let validator = Project.root.deletingLastPathComponent().appendingPathComponent("shared/specs/validate_records.py").path

    @Test("every fixture, as an exchange-json batch, passes validate_records.py (HR Open schemas and profile rules)",
          .enabled(if: Python.available && FileManager.default.fileExists(atPath: validator), "python3 with jsonschema, or ../shared/specs, is absent: skipped"),
          arguments: Array(Translation.fixtures.keys).sorted())
    func validates(_ key: String) async throws {
        let parts = key.split(separator: "/").map(String.init)
        let type = RecordType(rawValue: parts[1])!
        let (report, out) = try Translation.run(try Translation.fixture(Translation.fixtures[key]!), from: parts[0], to: "exchange-json", type)
        #expect(report.rejected == 0)
        let temp = TemporaryFolder()
        let file = try temp.write("batch.json", String(decoding: out, as: UTF8.self))
        let (status, output) = try await Python.run([Self.validator, file])
        #expect(status == 0, "\(output)")
        #expect(output.components(separatedBy: ": valid").count - 1 == report.translated, "\(output)")
    }

    static let examplesFolder = Project.root.deletingLastPathComponent().appendingPathComponent("shared/specs/examples")

    @Test("the specification's example batches are read, in both forms",
          .enabled(if: FileManager.default.fileExists(atPath: examplesFolder.path), "../shared/specs/examples is absent: skipped"),
          arguments: ["vacancy-batch.json", "vacancy-batch.xml", "trainee-batch.json", "trainee-batch.xml"])
    func examples(_ name: String) throws {
        let data = try #require(FileManager.default.contents(atPath: Self.examplesFolder.appendingPathComponent(name).path))
        let type: RecordType = name.hasPrefix("vacancy") ? .vacancy : .trainee
        let records = try Translation.records([UInt8](data), format: name.hasSuffix(".json") ? "exchange-json" : "exchange-xml", type)
        #expect(records.count == 2)
    }

    @Test("JSON and XML forms carry the same records")
    func forms() throws {
        for (key, file) in Translation.fixtures {
            let parts = key.split(separator: "/").map(String.init), type = RecordType(rawValue: parts[1])!
            let (_, json) = try Translation.run(try Translation.fixture(file), from: parts[0], to: "exchange-json", type)
            let (_, xml) = try Translation.run(try Translation.fixture(file), from: parts[0], to: "exchange-xml", type)
            #expect(try Translation.records(json, format: "exchange-json", type) == Translation.records(xml, format: "exchange-xml", type), "\(key)")
        }
    }

    @Test("a batch breaking the envelope rules is refused as a whole", arguments: [
        ("\"profile\": \"be-pes-exchange/1\"", "\"profile\": \"be-pes-exchange/2\"", "profile"),
        ("\"version\": \"3\"", "\"version\": \"4\"", "taxonomy must be ROME 3"),
        ("\"receiver\": \"ACTIRIS\"", "\"receiver\": \"VDAB\"", "receiver"),
        ("\"recordType\": \"vacancy\"", "\"recordType\": \"trainee\"", "recordType"),
    ])
    func envelope(_ old: String, _ new: String, _ fragment: String) throws {
        let (_, out) = try Translation.run(try Translation.fixture("vdab/vacancies.json"), from: "vdab", to: "exchange-json", .vacancy)
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.contains(old))
        #expect { _ = try Translation.run(Array(text.replacingOccurrences(of: old, with: new).utf8), from: "exchange-json", to: "vdab", .vacancy) } throws: {
            "\($0)".contains(fragment)
        }
    }

    @Test("a record twice in one batch is read twice: the receiver's version rule decides, not the reader (clarification 5)")
    func duplicateRecord() throws {
        let (first, out) = try Translation.run(try Translation.fixture("vdab/vacancies.json"), from: "vdab", to: "exchange-json", .vacancy)
        var text = String(decoding: out, as: UTF8.self)
        text = text.replacingOccurrences(of: "\"value\":\"70012346\"", with: "\"value\":\"70012345\"")
        let (report, _) = try Translation.run(Array(text.utf8), from: "exchange-json", to: "vdab", .vacancy)
        #expect(report.rejected == 0)
        #expect(report.read == first.read && report.translated == first.translated)
    }
}

@Suite("Real EURES vacancies through the exchange XML reader", .bounded, .enabled(if: Project.sharedDataAvailable, Project.skipMessage))
struct EuresTests {
    @Test("each is rejected with specific reasons, without a crash", arguments: ["ad_1.xml", "ad_2.xml", "ad_with_nace.xml", "ad_without_nace.xml"])
    func eures(_ name: String) throws {
        let data = FileManager.default.contents(atPath: Project.sharedData.appendingPathComponent("eures-samples/" + name).path)!
        let decoded = try ExchangeFormat.positionOpening([UInt8](data), receiver: .vdab, taxonomy: Translation.taxonomy)
        #expect(decoded.record == nil)
        let messages = decoded.errors.map { "\($0.field) \($0.code.rawValue): \($0.message)" }
        // NAV is not an agency of the protocol, and ISCO-08 is not the ROME pivot.
        #expect(messages.contains { $0.contains("schemeAgencyId 'NAV'") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("occupation") && $0.contains("ISCO2008") || $0.contains("jobCategories") }, "\(messages)")
        #expect(decoded.errors.allSatisfy { !$0.message.isEmpty })
    }
}
