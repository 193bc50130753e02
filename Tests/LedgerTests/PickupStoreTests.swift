import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Ledger
import LedgerTestSupport
import Model
import Testing

@Suite("Pick-up in the ledger: documents, batches, routes, parts (both stores)", .bounded)
struct PickupStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func batch(_ id: String, to peer: Agency, records: [String], version: Int = 1) -> QueuedBatch {
        var b = QueuedBatch(batchId: id, peer: peer, recordType: .vacancy, body: Array("{\"batch\": \"\(id)\"}".utf8), form: .json, recordCount: records.count)
        b.records = records.map { (Agency.forem, $0, version) }
        return b
    }

    func route(_ id: String, to peer: Agency, version: Int = 1, digest: String = "d1", batch: String) -> RoutedRecord {
        RoutedRecord(origin: .forem, recordId: id, peer: peer, recordType: .vacancy, version: version, contentSha256: digest, batchId: batch)
    }

    @Test("a document is written once with its batches and routes; the same document again writes nothing", arguments: LedgerKind.allCases)
    func wholeDocument(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        var entry = PickupEntry(source: "vacancy/a.xml", sha256: "s1", recordType: .vacancy, outcome: .done)
        (entry.records, entry.queued, entry.report, entry.document, entry.format) = (2, 2, "{\"ok\":true}", Array("<doc/>".utf8), "forem")
        let batches = [batch("p1", to: .vdab, records: ["FO-1", "FO-2"])]
        let routed = [route("FO-1", to: .vdab, batch: "p1"), route("FO-2", to: .vdab, batch: "p1")]
        #expect(try await store.commitPickup(entry, batches: batches, routed: routed, cursor: ("export#vacancy", "c-42"), now: t0))
        #expect(try await store.commitPickup(entry, batches: batches, routed: routed, cursor: nil, now: t0) == false)
        #expect(try await store.pickup(source: "vacancy/a.xml", sha256: "s1")?.report == "{\"ok\":true}")
        #expect(try await store.pickupCursor("export#vacancy") == "c-42")
        #expect(try await store.routes(origin: .forem, recordId: "FO-1") == [.vdab: "d1"])
        #expect(try await store.routes(origin: .forem, recordIds: ["FO-1", "FO-2", "FO-3"]).keys.sorted() == ["FO-1", "FO-2"])
        #expect(try await store.records(ofSent: "p1").map(\.id) == ["FO-1", "FO-2"])
        #expect(try await store.sourceDocument(ofSent: "p1")?.document == Array("<doc/>".utf8))
        #expect(try await store.routedRecords().count == 2)
        let summary = try await store.sendingSummary()
        #expect(summary.count == 1 && summary[0].waitingRecords == 2 && summary[0].encodings == [.json])
    }

    @Test("a later version updates a route and its facts; an older one keeps the facts", arguments: LedgerKind.allCases)
    func routeVersions(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        var facts = RecordFacts(Received.vacancy("FO-1", version: 1).record!)
        var first = route("FO-1", to: .vdab, version: 2, digest: "v2", batch: "p1")
        first.facts = facts
        facts.status = "FILLED"
        var older = route("FO-1", to: .vdab, version: 1, digest: "v1", batch: "p2")
        older.facts = facts
        var newer = route("FO-1", to: .vdab, version: 3, digest: "v3", batch: "p3")
        newer.facts = facts
        var entry = PickupEntry(source: "vacancy/b.xml", sha256: "s2", recordType: .vacancy, outcome: .done)
        entry.report = "{}"
        // One call routing the record three times: the rows change in the order given.
        _ = try await store.commitPickup(entry, batches: [], routed: [first, older], cursor: nil, now: t0)
        #expect(try await store.rows("SELECT version, content_sha256, status FROM routed_record", []) == [["1", "v1", "OPEN"]])
        entry.sha256 = "s3"
        _ = try await store.commitPickup(entry, batches: [], routed: [newer], cursor: nil, now: t0)
        #expect(try await store.rows("SELECT version, content_sha256, status FROM routed_record", []) == [["3", "v3", "FILLED"]])
    }

    @Test("a document in parts: begun, committed part by part, resumed after the position reached, then complete", arguments: LedgerKind.allCases)
    func parts(_ kind: LedgerKind) async throws {
        let ledger = try await TestLedger(kind)
        let store = try await ledger.open()
        let file = ledger.folder + "/export.xml"
        try FileManager.default.createDirectory(atPath: ledger.folder, withIntermediateDirectories: true)
        let document = [UInt8](repeating: UInt8(ascii: "x"), count: (1 << 20) + 10)   // two parts of at most 1 MiB
        _ = FileManager.default.createFile(atPath: file, contents: Data(document))
        var entry = PickupEntry(source: "vacancy/big.xml", sha256: "big", recordType: .vacancy, outcome: .done)
        entry.format = "forem"
        try await store.beginPickup(entry, documentAt: file, now: t0)
        #expect(try await store.pickup(source: "vacancy/big.xml", sha256: "big") == nil)   // not complete
        var counts = entry
        (counts.records, counts.queued) = (2, 2)
        try await store.commitPickupPart(source: "vacancy/big.xml", sha256: "big", position: 2, counts: counts,
                                         batches: [batch("q1", to: .vdab, records: ["FO-1", "FO-2"])], routed: [route("FO-1", to: .vdab, batch: "q1")],
                                         notes: [PickupNote(kind: .rejected, index: 3, recordId: "FO-3", detail: "occupation UNKNOWN_OCCUPATION")],
                                         final: nil, now: t0)
        // A restart finds it where it was.
        let resumed = try #require(try await ledger.open().pickupPosition(source: "vacancy/big.xml", sha256: "big"))
        #expect(resumed.position == 2 && resumed.counts.queued == 2 && resumed.counts.format == "forem")
        (counts.records, counts.queued, counts.rejected) = (4, 3, 1)
        try await store.commitPickupPart(source: "vacancy/big.xml", sha256: "big", position: 4, counts: counts,
                                         batches: [batch("q2", to: .actiris, records: ["FO-4"]), batch("q3", to: .vdab, records: ["FO-4"])], routed: [],
                                         notes: [PickupNote(kind: .notRouted, recordId: "FO-5", detail: "no rule")], final: (.done, "{\"parts\":2}"), now: t0)
        #expect(try await store.pickupPosition(source: "vacancy/big.xml", sha256: "big") == nil)
        #expect(try await store.pickup(source: "vacancy/big.xml", sha256: "big")?.queued == 3)
        let contents = try await store.pickupContents(source: "vacancy/big.xml", sha256: "big")
        #expect(contents.batches.map(\.batchId) == ["q1", "q2", "q3"])   // in the order they were made
        #expect(contents.notes.map(\.recordId) == ["FO-3", "FO-5"])
        #expect(try await store.sourceDocument(ofSent: "q2")?.document == document)
        // A part for a document that is complete is refused, and changes nothing.
        await #expect(throws: (any Error).self) {
            try await store.commitPickupPart(source: "vacancy/big.xml", sha256: "big", position: 9, counts: counts, batches: [batch("q9", to: .vdab, records: ["X"])],
                                             routed: [], notes: [], final: nil, now: t0)
        }
        #expect(try await store.outgoingState("q9") == nil)
    }
}
