import ExchangeHTTP
import ExchangeProtocol
import Foundation
import Gateway
import GRDB
import Ledger
import LedgerTestSupport
import Model
import Testing

@Suite("Payloads at rest: trainee payloads sealed, retention", .bounded)
struct PayloadTests {
    /// Raw payload columns, as anyone with the database file would read them.
    static func raw(_ path: String, _ sql: String) throws -> [Data] {
        let database = try DatabaseQueue(path: path)
        defer { try? database.close() }
        return try database.read { db in try Data.fetchAll(db, sql: sql) }
    }

    @Test("trainee payloads are sealed (AES-GCM) at both ends, vacancies are not; everything still flows; without the key a sealed payload is refused clearly")
    func sealed() async throws {
        var n = try ResubmissionNetwork()
        _ = try n.temp.write("payload.key", String(repeating: "7f", count: 32))
        let key = try PayloadKey(material: try LocalFiles.bytes(n.temp.path("payload.key")))
        n.forem.payloadKey = key
        n.vdab.payloadKey = key
        n.vdab.peers[.forem]!.receives = [.vacancy, .trainee]
        let vdab = try await LocalNetwork.start([n.vdab], mappings: Project.mappings, scheduledPickup: false)
        let forem = try await LocalNetwork.start([n.forem], mappings: Project.mappings, scheduledPickup: false)
        try n.exportFixtures()
        try await forem.nodes[.forem]!.pickup!.run()
        #expect(try await forem.waitUntilQuiet())
        #expect(try await vdab.waitUntilQuiet())
        try await forem.stop()
        try await vdab.stop()

        // Delivered in clear to VDAB's back office.
        let incoming = try FileManager.default.contentsOfDirectory(atPath: n.vdab.deliveryFolder!)
        let trainees = incoming.flatMap { name in
            (try? Translation.records(try LocalFiles.bytes(n.vdab.deliveryFolder! + "/" + name), format: "vdab", .trainee)) ?? []
        }
        #expect(trainees.map(\.id.rawValue) == ["CEN-2026-0310"])
        // Sealed in both ledgers; the person's name appears in no stored trainee payload. Vacancies stay plain.
        let foremPayloads = try Self.raw(n.forem.sqlitePath!, "SELECT p.body FROM batch_body p JOIN batch b USING (batch_id, direction) WHERE b.record_type = 'trainee'")
            + Self.raw(n.forem.sqlitePath!, "SELECT d.bytes FROM pickup_document d JOIN pickup p ON p.source = d.source AND p.sha256 = d.sha256 WHERE p.record_type = 'trainee'")
        let vdabPayloads = try Self.raw(n.vdab.sqlitePath!, "SELECT p.body FROM batch_body p JOIN batch b USING (batch_id, direction) WHERE b.record_type = 'trainee'")
        #expect(foremPayloads.count == 2 && vdabPayloads.count == 1)
        for payload in foremPayloads + vdabPayloads {
            #expect(payload.starts(with: Array("PESENC3\u{0}".utf8) + key.id))
            #expect(payload.range(of: Data("Lambert".utf8)) == nil)
        }
        let vacancy = try #require(try Self.raw(n.vdab.sqlitePath!, "SELECT p.body FROM batch_body p JOIN batch b USING (batch_id, direction) WHERE b.record_type = 'vacancy'").first)
        #expect(vacancy.starts(with: Array("{".utf8)) || vacancy.starts(with: Array("<".utf8)))
        // Without the key: a clear refusal, not garbage.
        let keyless = try SQLiteStore(path: n.forem.sqlitePath!)
        let batchId = try #require(try await keyless.batches(BatchFilter(direction: .sent)).first { $0.recordType == "trainee" }).batchId
        await #expect { try await keyless.body(ofSent: batchId) } throws: { "\($0)".contains("configure payloadKeyFile") }
        #expect(try await SQLiteStore(path: n.forem.sqlitePath!, payloadKey: key).body(ofSent: batchId)?.bytes.isEmpty == false)
    }

    @Test("retention removes payloads nothing needs any more; failed, unconfirmed or unreconciled batches keep theirs; metadata stays")
    func retention() async throws {
        let n = try ResubmissionNetwork()   // VDAB takes vacancies only: the trainee batch fails
        let vdab = try await LocalNetwork.start([n.vdab], mappings: Project.mappings, scheduledPickup: false)
        let forem = try await LocalNetwork.start([n.forem], mappings: Project.mappings, scheduledPickup: false)
        let node = try #require(forem.nodes[.forem])
        try n.exportFixtures()
        let since = Date().addingTimeInterval(-60)
        try await node.pickup!.run()
        #expect(try await forem.waitUntilQuiet())
        let later = Date().addingTimeInterval(86_400)

        // Before any reconcile, nothing sent is confirmed: only what VDAB received and delivered may go, at VDAB.
        #expect(try await node.store.prunePayloads(createdBefore: later, now: Date()) == PruneReport(batches: 0, documents: 0))
        #expect(try await SQLiteStore(path: n.vdab.sqlitePath!).prunePayloads(createdBefore: later) == PruneReport(batches: 1, documents: 0))
        // A reconcile confirms the vacancy batch: its body and its document may go; the failed trainee batch and its document stay.
        let report = try await node.reconciliation.run(peer: .vdab, since: since, until: Date().addingTimeInterval(60))
        #expect(report.confirmed.count == 1)
        #expect(try await node.store.prunePayloads(createdBefore: Date().addingTimeInterval(-3600), now: Date()) == PruneReport(batches: 0, documents: 0))   // not old enough yet
        #expect(try await node.store.prunePayloads(createdBefore: later, now: Date()) == PruneReport(batches: 1, documents: 1))
        let batches = try await node.store.batches(BatchFilter(direction: .sent))
        let vacancyBatch = try #require(batches.first { $0.recordType == "vacancy" }).batchId
        let traineeBatch = try #require(batches.first { $0.recordType == "trainee" }).batchId
        #expect(try await node.store.body(ofSent: vacancyBatch) == nil)
        #expect(try await node.store.body(ofSent: traineeBatch) != nil)
        #expect(try await node.store.sourceDocument(ofSent: traineeBatch) != nil)
        #expect(try await node.store.batch(vacancyBatch)?.receipt?.counts.accepted == 4)   // metadata stays
        try await vdab.stop()
        try await forem.stop()
    }
}
