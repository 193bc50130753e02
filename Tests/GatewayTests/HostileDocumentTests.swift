import AsyncHTTPClient
import ExchangeProtocol
import Files
import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import NIOCore
import Testing

/// Hostile exchange documents from a signed peer (issue 36): each refused with the limit it broke,
/// the receiving gateway's memory bounded while it reads them and given back after.
@Suite("Hostile documents from a signed peer: bounded readers", .bounded, .serialized,
       .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
struct HostileDocumentTests {
    /// Eight of `body` at once, then the gateway's peak and, once it gives memory back (glibc may
    /// keep freed memory a while: waited for with a deadline), its resident memory, in MB.
    static func flood(_ body: [UInt8], contentType: String, _ served: ServedGateway) async throws -> (statuses: [Int], peak: Int, resident: Int) {
        let url = served.url, pid = try #require(served.gateway.process?.processIdentifier)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { try await Self.post(body, to: url, contentType: contentType).status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let peak = try #require(SlowSenderTests.peakMegabytes(pid))
        let deadline = ContinuousClock.now + .seconds(20)
        var resident = Int.max
        while ContinuousClock.now < deadline {
            resident = SlowSenderTests.megabytes(pid, "VmRSS") ?? Int.max
            if resident < 150 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        return (statuses, peak, resident)
    }

    /// A one-vacancy XML batch with `junk` inside its record, before the record's end.
    static func xmlBatch(junk: String) throws -> [UInt8] {
        var generator = RecordGenerator(seed: 9)
        let (body, _) = try generator.batch(id: UUID().uuidString.lowercased(), form: .xml, vacancies: 1, from: 0)
        let text = String(decoding: body, as: UTF8.self)
        let end = try #require(text.range(of: "</PositionOpening>", options: .backwards))
        return Array((text[..<end.lowerBound] + junk + text[end.lowerBound...]).utf8)
    }

    /// A one-vacancy JSON batch with `member` (`"name": value`) first in its record.
    static func jsonBatch(member: String) throws -> [UInt8] {
        var generator = RecordGenerator(seed: 9)
        let (body, _) = try generator.batch(id: UUID().uuidString.lowercased(), form: .json, vacancies: 1, from: 0)
        let text = String(decoding: body, as: UTF8.self)
        let start = try #require(text.range(of: #""records""#))
        let open = try #require(text[start.upperBound...].firstIndex(of: "{"))
        return Array((text[...open] + member + "," + text[text.index(after: open)...]).utf8)
    }

    /// A batch signed by Le Forem, posted in clear; the answer.
    static func post(_ body: [UInt8], to url: String, contentType: String = "application/xml") async throws -> ServedGateway.Answer {
        var request = HTTPClientRequest(url: url + "/exchange/v1/batches")
        request.method = .POST
        for field in ReceivingFixture.headers(RequestSignature(key: ServedGateway.key("FOREM")), as: "FOREM", body: body, contentType: contentType) {
            request.headers.add(name: field.name.rawName, value: field.value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await ServedGateway.answer(request)
    }

    static let cases: [(name: String, junk: @Sendable () -> String, says: String)] = [
        ("4 million empty elements in one record", { String(repeating: "<x/>", count: 4_000_000) }, "more than 10000 elements"),
        ("a record nested 10,000 deep", { String(repeating: "<d>", count: 10_000) + String(repeating: "</d>", count: 10_000) }, "more than 32 deep"),
        ("an attribute of 10 MB", { "<x a=\"" + String(repeating: "a", count: 10_000_000) + "\"/>" }, "longer than 10000000 bytes (libxml2's limit"),
        ("a text node of 15 MB", { "<x>" + String(repeating: "t", count: 15_000_000) + "</x>" }, "longer than 10000000 bytes (libxml2's limit"),
        ("an attribute of 1 MB", { "<x a=\"" + String(repeating: "a", count: 1_000_000) + "\"/>" }, "longer than 65536 bytes (the limit of an attribute)"),
        ("a text node of 2 MB", { "<x>" + String(repeating: "t", count: 2_000_000) + "</x>" }, "longer than 1048576 bytes (the limit of one element's text)"),
        ("70 attributes on one element", { "<x " + (0..<70).map { "a\($0)=\"v\"" }.joined(separator: " ") + "/>" }, "more than 64 attributes"),
    ]

    @Test("each hostile XML batch is refused with the limit it broke; eight of the largest at once keep the gateway under 300 MB, and it is back under 150 MB after",
          .timeLimit(.minutes(3)))
    func hostileXML() async throws {
        let served = try await ServedGateway(operators: [])
        for c in Self.cases {
            let body = try Self.xmlBatch(junk: c.junk())
            let answer = try await Self.post(body, to: served.url)
            #expect(answer.status == 400 && answer.text.contains(c.says), "\(c.name): \(answer.status) \(answer.text.prefix(400))")
        }
        let (statuses, peak, resident) = try await Self.flood(try Self.xmlBatch(junk: Self.cases[0].junk()), contentType: "application/xml", served)
        #expect(statuses.allSatisfy { $0 == 400 || $0 == 429 }, "\(statuses)")
        #expect(peak < 300, "peak \(peak) MB")
        #expect(resident < 150, "resident \(resident) MB after")
        print("hostile XML: \(Self.cases.count) cases refused with their limit, 8 × 16 MB at once \(statuses); peak \(peak) MB, resident after \(resident) MB")
        served.gateway.kill()
    }

    @Test("a JSON batch whose record holds 4 million empty objects, or nests 10,000 deep, is refused with its limit; eight at once keep the gateway under 300 MB, and it is back under 150 MB after",
          .timeLimit(.minutes(3)))
    func hostileJSON() async throws {
        let served = try await ServedGateway(operators: [])
        let flood = try Self.jsonBatch(member: #""zz":["# + String(repeating: "{},", count: 4_000_000) + "{}]")
        let deep = try Self.jsonBatch(member: #""zz":"# + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))
        for (body, says) in [(flood, "more than 10000 values (the limit of values in one record)"), (deep, "nesting deeper than 64 levels")] {
            let answer = try await Self.post(body, to: served.url, contentType: "application/json")
            #expect(answer.status == 400 && answer.text.contains(says), "\(answer.status) \(answer.text.prefix(400))")
        }
        let (statuses, peak, resident) = try await Self.flood(flood, contentType: "application/json", served)
        #expect(statuses.allSatisfy { $0 == 400 || $0 == 429 }, "\(statuses)")
        #expect(peak < 300, "peak \(peak) MB")
        #expect(resident < 150, "resident \(resident) MB after")
        print("hostile JSON: refused with their limits, 8 × 12 MB at once \(statuses); peak \(peak) MB, resident after \(resident) MB")
        served.gateway.kill()
    }

    @Test("a 120 MB regional document with 30 million empty elements in one offer, picked up by a gateway process: rejected with the limit it broke, the gateway under 300 MB and back under 150 MB after",
          .timeLimit(.minutes(5)))
    func hostilePickup() async throws {
        let temp = TemporaryFolder()
        try temp.keys("forem-to-vdab.key", "vdab-to-forem.key")
        let config = try temp.write("forem.yaml", """
            agency: FOREM
            listen: 127.0.0.1:0
            store: forem.sqlite
            mappings: \(Project.mappings.path)
            delivery: { folder: incoming, vacancy: forem }
            pickup: { folder: outgoing, every: 1h, vacancy: forem }
            peers:
              VDAB:
                url: http://127.0.0.1:9
                receiveKeyFile: vdab-to-forem.key
                sendKeyFile: forem-to-vdab.key
                receive: [vacancy]
                send: [vacancy]
            """)
        // Le Forem's fixture, its first offer holding 30 million `<x/>`: written beside, then renamed in.
        let fixture = try Translation.fixture("forem/vacancies.xml")
        let marker = Array("<nombrePostes>1</nombrePostes>".utf8)
        let at = try #require(fixture.indices.first { fixture[$0...].starts(with: marker) }) + marker.count
        try PrivateFiles.makeFolder(temp.path("outgoing/vacancy"))
        let partial = temp.path("outgoing/vacancy/.big.xml")
        _ = FileManager.default.createFile(atPath: partial, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: partial))
        try out.write(contentsOf: fixture[..<at])
        let chunk = Data(String(repeating: "<x/>", count: 250_000).utf8)   // 1 MB
        for _ in 0..<120 { try out.write(contentsOf: chunk) }
        try out.write(contentsOf: fixture[at...])
        try out.close()
        #expect(rename(partial, temp.path("outgoing/vacancy/big.xml")) == 0)

        let gateway = GatewayProcess(config: config)
        try await gateway.start()
        defer { gateway.kill() }
        let report = temp.path("outgoing/rejected/vacancy/big.xml.report.json")
        let deadline = ContinuousClock.now + .seconds(240)
        while !FileManager.default.fileExists(atPath: report), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        let text = try String(contentsOfFile: report, encoding: .utf8)
        #expect(text.contains("more than 10000 elements"), "\(text.prefix(400))")
        let peak = try #require(SlowSenderTests.peakMegabytes(gateway.pid))
        var resident = Int.max
        let settle = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < settle {
            resident = SlowSenderTests.megabytes(gateway.pid, "VmRSS") ?? Int.max
            if resident < 150 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(peak < 300, "peak \(peak) MB")
        #expect(resident < 150, "resident \(resident) MB after")
        let outbox = try SQLiteStore(path: temp.path("forem.sqlite"))
        #expect(try await outbox.sendingSummary().isEmpty, "nothing of the document is sent")
        print("hostile pick-up: 120 MB, 30 million elements in one offer: rejected; peak \(peak) MB, resident after \(resident) MB")
    }
}
