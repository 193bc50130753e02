import Formats
import Foundation
import Model
import Testing

/// The regional documents' headers and languages as the specifications give them
/// (`regional-formats.md`): a JSON header may follow the records (member order has no meaning in
/// JSON); the header's timestamp is a time in the format's pattern; Actiris holds titles in French
/// and Dutch only.
@Suite("Regional headers and title languages", .bounded)
struct RegionalHeaderTests {
    /// A JSON fixture with its header members moved after the records array.
    static func headerLast(_ file: String, recordsKey: String) throws -> [UInt8] {
        let value = try JSONParser(reader: ByteReader(bytes: try Translation.fixture(file))).value()
        guard case .object(let members) = value else { throw RuleError("not an object") }
        let moved = JSONValue.object(members.filter { $0.0 == recordsKey } + members.filter { $0.0 != recordsKey })
        let text = ProfileRuleTests.text(moved)
        #expect(text.hasPrefix("{\"\(recordsKey)\":"))
        return Array(text.utf8)
    }

    struct RuleError: Error { var description: String; init(_ d: String) { description = d } }

    @Test("a JSON header after the records is read: the same records, the same sender", arguments: [("vdab", "vdab/vacancies.json", "vacatures"),
                                                                                                   ("adg", "adg/vacancies.json", "stellenangebote")])
    func headerAfterRecords(_ format: String, _ file: String, _ recordsKey: String) throws {
        let before = try Translation.records(try Translation.fixture(file), format: format, .vacancy)
        let after = try Translation.records(try Self.headerLast(file, recordsKey: recordsKey), format: format, .vacancy)
        #expect(!before.isEmpty && after == before)
        let (report, _) = try Translation.run(try Self.headerLast(file, recordsKey: recordsKey), from: format, to: "exchange-json", .vacancy)
        #expect(report.rejected == 0 && report.translated == before.count && report.sender == format.uppercased())
    }

    @Test("a JSON document whose sender is nowhere, before or after the records, is refused saying so")
    func noSender() throws {
        var text = String(decoding: try Translation.fixture("vdab/vacancies.json"), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"bron\": \"VDAB\",", with: "")
        #expect { _ = try Translation.run(Array(text.utf8), from: "vdab", to: "exchange-json", .vacancy) } throws: {
            "\($0)".contains("the header has no \"bron\"")
        }
    }

    @Test("the header's timestamp is checked against the format's pattern", arguments: [
        ("vdab", "vdab/vacancies.json", "2026-11-20T06:00:00+01:00", "2026-11-20 06:00"),
        ("adg", "adg/vacancies.json", "20.11.2026 06:00", "31.11.2026 06:00"),
        ("forem", "forem/vacancies.xml", "20/11/2026 06:00", "20/11/2026 6:00"),
        ("actiris", "actiris/vacancies.xml", "20261120T060000", "20261120T250000"),
    ])
    func timestamps(_ format: String, _ file: String, _ good: String, _ bad: String) throws {
        let bytes = try Translation.fixture(file)
        let text = try #require(String(data: Data(bytes), encoding: format == "forem" ? .isoLatin1 : .utf8))
        #expect(text.contains(good), "the fixture's header is not \(good)")
        let broken = try #require(text.replacingOccurrences(of: good, with: bad).data(using: format == "forem" ? .isoLatin1 : .utf8))
        #expect { _ = try Translation.run([UInt8](broken), from: format, to: "exchange-json", .vacancy) } throws: {
            "\($0)".contains("'\(bad)' is not a time written")
        }
        let (report, _) = try Translation.run(bytes, from: format, to: "exchange-json", .vacancy)
        #expect(report.read > 0)
    }

    @Test("Actiris is written titles in French and Dutch only: a German one is left out with a loss, or, alone, written as French with a loss")
    func actirisTitles() throws {
        // ADG's vacancies have German titles only.
        let (alone, written) = try Translation.run(try Translation.fixture("adg/vacancies.json"), from: "adg", to: "actiris", .vacancy)
        let xml = String(decoding: written, as: UTF8.self)
        #expect(alone.translated > 0 && !xml.contains("lang=\"de\""), "\(xml.prefix(800))")
        #expect(xml.contains("<Title lang=\"fr\">"))
        let losses = alone.records.flatMap(\.losses)
        #expect(losses.contains { $0.hasPrefix("title in de written as fr: the actiris format holds fr and nl only") }, "\(losses)")
        // A vacancy with French, Dutch and German titles keeps the first two.
        let three = ProfileRuleTests.vacancyJSON.replacingOccurrences(of: #"{"language":"nl","positionTitle":"Lasser","positionFormattedDescriptions":[{"content":"TIG- en MIG-lassen."}]}"#,
                                                                       with: #"{"language":"nl","positionTitle":"Lasser","positionFormattedDescriptions":[{"content":"TIG- en MIG-lassen."}]},{"language":"de","positionTitle":"Schweißer"}"#)
        #expect(three.contains("Schweißer"))
        let (report, out) = try Translation.run(Array(three.utf8), from: "exchange-json", to: "actiris", .vacancy)
        let text = String(decoding: out, as: UTF8.self)
        #expect(report.translated == 1 && text.contains("<Title lang=\"fr\">") && text.contains("<Title lang=\"nl\">") && !text.contains("Schweißer"), "\(text)")
        #expect(report.records.flatMap(\.losses).contains("title in de not carried: the actiris format holds fr and nl"), "\(report.records)")
    }
}
