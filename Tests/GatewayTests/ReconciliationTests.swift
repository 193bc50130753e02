import ExchangeHTTP
import ExchangeProtocol
import Foundation
import Gateway
import GRDB
import Ledger
import LedgerTestSupport
import Model
import Testing

@Suite("Reconciliation with a peer's manifest", .bounded)
struct ReconciliationTests {
    @Test("a batch the peer lost is found and repaired; a batch it holds with another body is reported")
    func lostAndMismatched() async throws {
        var n = try ResubmissionNetwork()
        n.vdab.peers[.forem]!.receives = [.vacancy, .trainee]
        let vdab = try await LocalNetwork.start([n.vdab], mappings: Project.mappings, scheduledPickup: false)
        let forem = try await LocalNetwork.start([n.forem], mappings: Project.mappings, scheduledPickup: false)
        let node = try #require(forem.nodes[.forem])
        try n.exportFixtures()
        let since = Date().addingTimeInterval(-60)
        try await node.pickup!.run()
        #expect(try await forem.waitUntilQuiet())
        let sent = try await node.store.batches(BatchFilter(direction: .sent))
        let vacancyBatch = try #require(sent.first { $0.recordType == "vacancy" }).batchId
        let traineeBatch = try #require(sent.first { $0.recordType == "trainee" }).batchId

        let clean = try await node.reconciliation.run(peer: .vdab, since: since, until: Date().addingTimeInterval(60))
        #expect(clean.confirmed.sorted() == [vacancyBatch, traineeBatch].sorted())
        #expect(clean.findings == 0)

        // VDAB loses the vacancy batch, and holds the trainee batch with another digest.
        let database = try DatabaseQueue(path: n.vdab.sqlitePath!)
        try await database.write { db in
            for table in ["record", "batch_record"] { try db.execute(sql: "DELETE FROM \(table) WHERE batch_id = ?", arguments: [vacancyBatch]) }
            try db.execute(sql: "DELETE FROM batch_body WHERE batch_id = ? AND direction = 'in'", arguments: [vacancyBatch])
            try db.execute(sql: "DELETE FROM batch WHERE batch_id = ? AND direction = 'in'", arguments: [vacancyBatch])
            try db.execute(sql: "UPDATE batch SET body_sha256 = ? WHERE batch_id = ? AND direction = 'in'", arguments: [String(repeating: "0", count: 64), traineeBatch])
        }
        try database.close()

        let found = try await node.reconciliation.run(peer: .vdab, since: since, until: Date().addingTimeInterval(60), repair: true,
                                                      actor: "test:operator", reason: "VDAB restored a backup (incident 7)")
        #expect(found.missingAtPeer == [vacancyBatch])
        #expect(found.digestMismatch.map(\.batchId) == [traineeBatch])
        #expect(found.digestMismatch.first?.theirs == String(repeating: "0", count: 64))
        #expect(found.requeued == [vacancyBatch])
        #expect(try await node.store.auditLog().map { "\($0.action) \($0.target) \($0.reason ?? "")" } == ["reconcile-repair \(vacancyBatch) VDAB restored a backup (incident 7)"])

        // The same batch, same id and body, goes again; VDAB takes it and the manifest agrees.
        #expect(try await forem.waitUntilQuiet())
        let after = try await node.reconciliation.run(peer: .vdab, since: since, until: Date().addingTimeInterval(60))
        #expect(after.confirmed == [vacancyBatch])
        #expect(after.missingAtPeer.isEmpty)
        #expect(after.digestMismatch.map(\.batchId) == [traineeBatch])
        let received = try SQLiteStore(path: n.vdab.sqlitePath!)
        #expect(try await received.history(origin: .forem, recordId: "FO-4481236").received.map(\.outcome) == [.accepted])

        // A manifest entry is a summary of the peer's receipt: one with the right body but another
        // record count confirms nothing either.
        let vdabLedger = try DatabaseQueue(path: n.vdab.sqlitePath!)
        try await vdabLedger.write { db in
            try db.execute(sql: "UPDATE batch SET receipt = json_set(receipt, '$.counts.records', json_extract(receipt, '$.counts.records') + 1) WHERE batch_id = ? AND direction = 'in'",
                           arguments: [vacancyBatch])
        }
        try vdabLedger.close()
        let miscounted = try await node.reconciliation.run(peer: .vdab, since: since, until: Date().addingTimeInterval(60))
        #expect(!miscounted.confirmed.contains(vacancyBatch))
        #expect(miscounted.digestMismatch.first { $0.batchId == vacancyBatch }.map { "\($0.ours) / \($0.theirs)" } == "4 records / 5 records")
        try await vdab.stop()
        try await forem.stop()
    }
}
