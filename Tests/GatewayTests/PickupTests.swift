import Files
import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import LedgerTestSupport
import Logging
import Model
import NIOCore
import Synchronization
import Testing

/// Le Forem's pick-up from its outgoing folder into a real ledger, VDAB and ADG as peers.
struct PickupFixture {
    let temp = TemporaryFolder()
    var outgoing: String { temp.path("outgoing") }

    func store() throws -> SQLiteStore { try SQLiteStore(path: temp.path("forem.sqlite")) }

    func pickup(_ store: SQLiteStore, rules: [RoutingRule] = [RoutingRule(recordType: .vacancy, destination: .peers([.vdab])),
                                                            RoutingRule(recordType: .trainee, destination: .referring)],
                maximumDocumentBytes: Int64 = 1 << 30, maximumDocumentRecords: Int = 1_000_000) -> Pickup {
        var settings = PickupSettings(folder: outgoing, formats: [.vacancy: "forem", .trainee: "forem"], schedule: .every(60))
        settings.maximumDocumentBytes = maximumDocumentBytes
        settings.maximumDocumentRecords = maximumDocumentRecords
        return Pickup(agency: .forem, settings: settings,
               peers: [.vdab: .init(sends: [.vacancy, .trainee], encoding: .json), .adg: .init(sends: [.vacancy], encoding: .xml)],
               routing: Routing(rules: rules), catalog: Translation.catalog, taxonomy: Translation.taxonomy, store: store,
               logger: Logger(label: "test.pickup"))
    }

    /// Exports a document as the back office does: written beside, then renamed in.
    func export(_ bytes: [UInt8], as name: String, type: RecordType = .vacancy, into folder: String? = nil) throws {
        let target = folder ?? LocalFiles.join(outgoing, type.rawValue)
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try PrivateFiles.writeAtomically(bytes, to: LocalFiles.join(target, name))
    }

    func names(_ sub: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: LocalFiles.join(outgoing, sub))) ?? []).sorted() }

    /// Batches in the outbox, by peer: (batch count, record count, encodings).
    func outbox(_ store: SQLiteStore) async throws -> [Agency: (batches: Int, records: Int)] {
        var result: [Agency: (Int, Int)] = [:]
        for s in try await store.sendingSummary() {
            let previous = result[s.peer] ?? (0, 0)
            result[s.peer] = (previous.0 + s.batches, previous.1 + s.waitingRecords)
        }
        return result
    }
}

@Suite("Pick-up from the agency's outgoing folder", .bounded)
struct PickupTests {
    @Test("a document is claimed, queued with its batches, reported beside it and moved to done/")
    func picksUp() async throws {
        let f = PickupFixture()
        let store = try f.store()
        try f.export(try Translation.fixture("forem/vacancies.xml"), as: "2026-11-22.xml")
        try f.export(try Translation.fixture("forem/trainees.xml"), as: "2026-11-22.xml", type: .trainee)
        let entries = try await f.pickup(store).run()
        #expect(entries.map(\.source) == ["vacancy/2026-11-22.xml", "trainee/2026-11-22.xml"])
        #expect(entries[0].records == 4 && entries[0].queued == 4 && entries[0].rejected == 0)
        // Trainee records go to their referring agency if it is agreed: VDAB; ACTIRIS and BF are not peers here.
        #expect(entries[1].records == 3 && entries[1].queued == 1 && entries[1].notRouted == 2)
        #expect(f.names("vacancy").isEmpty && f.names("processing/vacancy").isEmpty)
        #expect(f.names("done/vacancy") == ["2026-11-22.xml", "2026-11-22.xml.report.json"])
        let report = try JSONSerialization.jsonObject(with: Data(try LocalFiles.bytes(LocalFiles.join(f.outgoing, "done/trainee/2026-11-22.xml.report.json")))) as! [String: Any]
        #expect(report["outcome"] as? String == "done")
        let notRouted = report["notRouted"] as! [[String: String]]
        #expect(notRouted.map { $0["reason"]! } == ["to ACTIRIS, not agreed for trainee records", "to BF, not agreed for trainee records"])
        #expect(!String(decoding: try LocalFiles.bytes(LocalFiles.join(f.outgoing, "done/trainee/2026-11-22.xml.report.json")), as: UTF8.self).contains("Dubois"))
        let outbox = try await f.outbox(store)
        #expect(outbox[.vdab]?.batches == 2 && outbox[.vdab]?.records == 5)
    }

    @Test("a document rewritten in place while it is picked up: what is sent, stored and kept in done/ is what was read first (issue 36, read once)")
    func readOnce() async throws {
        let f = PickupFixture()
        let store = try f.store()
        let original = try Translation.fixture("forem/vacancies.xml")
        try f.export(original, as: "a.xml")
        // The same length, another title: as a back office still writing the file would.
        let latin1 = String(String.UnicodeScalarView(original.map { Unicode.Scalar($0) }))
        let forged = latin1.replacingOccurrences(of: "Soudeur / Soudeuse TIG", with: "Rewritten while read!!").unicodeScalars.map { UInt8($0.value) }
        #expect(forged.count == original.count && forged != original)
        var pickup = f.pickup(store)
        pickup.afterCopy = { path in
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.write(contentsOf: forged)
            try handle.close()
        }
        let entries = try await pickup.run()
        #expect(entries.map(\.queued) == [4])
        #expect(entries.first?.sha256 == sha256Hex(original))
        let sent = try await store.claimDue(now: Date().addingTimeInterval(60), limit: 16, peer: nil)
        #expect(!sent.isEmpty)
        for batch in sent {
            let body = String(decoding: batch.body, as: UTF8.self)
            #expect(body.contains("Soudeuse TIG") && !body.contains("Rewritten while read"))
        }
        #expect(try await store.sourceDocument(ofSent: sent[0].batchId)?.document == original)
        #expect(FileManager.default.contents(atPath: LocalFiles.join(f.outgoing, "done/vacancy/a.xml")).map { [UInt8]($0) } == original)
        #expect(f.names("processing/vacancy").isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: LocalFiles.join(f.outgoing, "processing/vacancy")).isEmpty, "no copy left behind")
    }

    @Test("a document of more records than pickup.maxDocumentRecords is rejected whole, saying so, and nothing of it is sent (issue 36)")
    func recordsPerDocument() async throws {
        let f = PickupFixture()
        let store = try f.store()
        try f.export(try Translation.fixture("forem/vacancies.xml"), as: "four.xml")
        let entries = try await f.pickup(store, maximumDocumentRecords: 3).run()
        #expect(entries.map(\.outcome) == [.rejected])
        #expect(try await store.sendingSummary().isEmpty)
        let report = try String(contentsOfFile: LocalFiles.join(f.outgoing, "rejected/vacancy/four.xml.report.json"), encoding: .utf8)
        #expect(report.contains("holds more than 3 records (pickup.maxDocumentRecords)"), "\(report)")
        try f.export(try Translation.fixture("forem/vacancies.xml"), as: "again.xml")
        #expect(try await f.pickup(store, maximumDocumentRecords: 4).run().map(\.queued) == [4], "four records are within a limit of four")
    }

    @Test("crash after the claim, before the ledger: the next pass takes the document from processing/ and queues it once")
    func resumesClaimed() async throws {
        let f = PickupFixture()
        let store = try f.store()
        try f.export(try Translation.fixture("forem/vacancies.xml"), as: "a.xml", into: LocalFiles.join(f.outgoing, "processing/vacancy"))
        let entries = try await f.pickup(store).run()
        #expect(entries.map(\.queued) == [4])
        #expect(try await f.outbox(store)[.vdab]?.batches == 1)
        #expect(f.names("processing/vacancy").isEmpty)
        #expect(f.names("done/vacancy") == ["a.xml", "a.xml.report.json"])
    }

    @Test("crash after the ledger, before the move: the next pass recognises the document, moves it on, and sends nothing twice")
    func resumesCommitted() async throws {
        let f = PickupFixture()
        let store = try f.store()
        try f.export(try Translation.fixture("forem/vacancies.xml"), as: "a.xml")
        _ = try await f.pickup(store).run()
        let before = try await store.sendingSummary()
        // The state a crash leaves between the commit and the move: the document still in processing/, no report.
        try FileManager.default.createDirectory(atPath: LocalFiles.join(f.outgoing, "processing/vacancy"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: LocalFiles.join(f.outgoing, "done/vacancy/a.xml"), toPath: LocalFiles.join(f.outgoing, "processing/vacancy/a.xml"))
        try FileManager.default.removeItem(atPath: LocalFiles.join(f.outgoing, "done/vacancy/a.xml.report.json"))
        let again = try await f.pickup(try f.store()).run()
        #expect(again.map(\.queued) == [4])   // the entry as first recorded
        #expect(try await store.sendingSummary() == before)   // no new batch
        #expect(f.names("done/vacancy") == ["a.xml", "a.xml.report.json"])
        #expect(f.names("processing/vacancy").isEmpty)
    }

    @Test("the same records exported again: nothing queued (every peer has those versions); the same file again: recognised, nothing sent")
    func unchangedAndUpdated() async throws {
        let f = PickupFixture()
        let store = try f.store()
        let pickup = f.pickup(store)
        let document = try Translation.fixture("forem/vacancies.xml")
        try f.export(document, as: "a.xml")
        _ = try await pickup.run()
        try f.export(document, as: "b.xml")
        let again = try await pickup.run()
        #expect(again.map(\.unchanged) == [4])
        #expect(again.map(\.queued) == [0])
        try f.export(document, as: "a.xml")   // the very same file (name and content) once more
        _ = try await pickup.run()
        #expect(f.names("done/vacancy").count == 6)   // kept apart in done/, under a prefixed name
        #expect(try await f.outbox(store)[.vdab]?.batches == 1)
    }

    @Test("an unreadable document goes to rejected/ with its fault in the report, and nothing is queued")
    func rejectsDocument() async throws {
        let f = PickupFixture()
        let store = try f.store()
        try f.export(Array("<lotOffres xmlns=\"urn:be:forem:echange:3\" emetteur=\"FOREM\"><offre".utf8), as: "broken.xml")
        try f.export(try Translation.fixture("vdab/vacancies.json"), as: "wrong-format.json")
        let entries = try await f.pickup(store).run()
        #expect(entries.map(\.outcome) == [.rejected, .rejected])
        #expect(f.names("rejected/vacancy") == ["broken.xml", "broken.xml.report.json", "wrong-format.json", "wrong-format.json.report.json"])
        let report = String(decoding: try LocalFiles.bytes(LocalFiles.join(f.outgoing, "rejected/vacancy/broken.xml.report.json")), as: UTF8.self)
        #expect(report.contains("\"documentError\""))
        #expect(try await store.sendingSummary().isEmpty)
    }

    @Test("records beyond 5,000 for one peer are split into batches within the protocol's limits, in the peer's encoding")
    func batching() async throws {
        let f = PickupFixture()
        let store = try f.store()
        var generator = RecordGenerator(seed: 11)
        let out = ByteWriter()
        let writer = try Translation.catalog.format("forem", type: .vacancy)!.writing(out, taxonomy: Translation.taxonomy, envelope: EnvelopeFields())
        try writer.begin(sender: .forem, created: Date())
        for i in 0..<5_001 { _ = writer.write(.vacancy(generator.vacancy(origin: .forem, index: i))) }
        writer.end()
        out.flush()
        try f.export(out.collected, as: "big.xml")
        let pickup = f.pickup(store, rules: [RoutingRule(recordType: .vacancy, destination: .peers([.vdab, .adg]))])
        let entries = try await pickup.run()
        #expect(entries.first?.queued == 5_001)
        let summary = try await store.sendingSummary()
        #expect(summary.map { "\($0.peer.rawValue) \($0.batches) \($0.waitingRecords)" } == ["ADG 2 5001", "VDAB 2 5001"])
        let claimed = try await store.claimDue(now: Date().addingTimeInterval(1), limit: 10)
        #expect(claimed.map(\.form).sorted { $0.rawValue < $1.rawValue } == [.json, .json, .xml, .xml])
        for batch in claimed {
            #expect(batch.body.count <= PickupPlan.maximumBytes)
            let read = try ExchangeFormat.readBatch(batch.body, form: batch.form, taxonomy: Translation.taxonomy)
            #expect(read.records.count <= PickupPlan.maximumRecords)
            #expect(read.envelope["receiver"] == batch.peer.rawValue)
        }
    }
}

@Suite("Pick-up from the agency's HTTP export", .bounded)
struct ExportPickupTests {
    @Test("the export is asked since the cursor kept in the ledger, which moves with the batches in one transaction")
    func export() async throws {
        let f = PickupFixture()
        let store = try f.store()
        let document = try Translation.fixture("forem/vacancies.xml")
        // An export with one document after the start, then nothing new; it records what it was asked.
        let asked = Mutex<[String]>([])
        let router = PickupTests.export(document) { request in asked.withLock { $0.append(request) } }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client async throws -> Void in
            let pickup = PickupTests.exportPickup(port: client.port!, store: store)
            let first = try await pickup.run()
            #expect(first.map(\.queued) == [4])
            #expect(try await store.pickupCursor("http://127.0.0.1:\(client.port!)/export#vacancy") == "2026-11-22T06:00:00Z")
            let second = try await pickup.run()
            #expect(second.isEmpty)
        }
        #expect(asked.withLock { $0 } == ["vacancy since ''", "vacancy since '2026-11-22T06:00:00Z'"])
        // The batches and the cursor moved in one transaction: one batch, and the document's entry.
        #expect(try await f.outbox(store)[.vdab]?.batches == 1)
        #expect(try await store.pickup(source: "export:vacancy since the start", sha256: sha256Hex(document))?.queued == 4)
    }
}

extension PickupTests {
    /// Le Forem's HTTP export on loopback: `document` for the first vacancy request (since the
    /// start), nothing new after; each request told to `asked` ("vacancy since ''").
    static func export(_ document: [UInt8], asked: @escaping @Sendable (String) -> Void = { _ in }) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/export") { request, _ in
            let type = request.uri.queryParameters["type"].map(String.init) ?? ""
            let since = request.uri.queryParameters["since"].map(String.init) ?? ""
            asked("\(type) since '\(since)'")
            guard type == "vacancy", since.isEmpty else { return Response(status: .noContent) }
            return Response(status: .ok, headers: [.contentType: "application/xml", HTTPField.Name("X-Export-Cursor")!: "2026-11-22T06:00:00Z"],
                            body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
        return router
    }

    /// Le Forem's pick-up from that export on `port`, every vacancy to VDAB.
    static func exportPickup(port: Int, store: SQLiteStore) -> Pickup {
        Pickup(agency: .forem, settings: PickupSettings(exportURL: "http://127.0.0.1:\(port)/export", formats: [.vacancy: "forem"], schedule: .every(60)),
               peers: [.vdab: .init(sends: [.vacancy], encoding: .json)],
               routing: Routing(rules: [RoutingRule(recordType: .vacancy, destination: .peers([.vdab]))]),
               catalog: Translation.catalog, taxonomy: Translation.taxonomy, store: store, logger: Logger(label: "test.export"))
    }
}
