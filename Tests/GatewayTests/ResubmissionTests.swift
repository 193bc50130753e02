import Files
import ExchangeHTTP
import ExchangeProtocol
import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import Model
import Testing

/// Le Forem sending to VDAB, each a gateway of its own on loopback; VDAB can be restarted with other
/// mappings or settings on the same store and address.
struct ResubmissionNetwork {
    let temp = TemporaryFolder()
    var forem: GatewayConfiguration
    var vdab: GatewayConfiguration

    init() throws {
        try temp.keys("forem-to-vdab.key", "vdab-to-forem.key", "forem-payload.key")
        _ = try temp.write("deploy/openapi.yaml", String(decoding: try LocalFiles.bytes(Project.root.appendingPathComponent("deploy/openapi.yaml").path), as: UTF8.self))
        let foremPath = try temp.write("forem.yaml", """
            agency: FOREM
            listen: 127.0.0.1:0
            store: forem/ledger.sqlite
            mappings: \(Project.mappings.path)
            payloadKeyFile: forem-payload.key
            delivery: { folder: forem/incoming, vacancy: forem, trainee: forem }
            pickup: { folder: forem/outgoing, every: 1h, vacancy: forem, trainee: forem }
            routes:
              - { type: vacancy, to: [VDAB] }
              - { type: trainee, to: referring }
            peers:
              VDAB:
                url: http://127.0.0.1:9
                receiveKeyFile: vdab-to-forem.key
                sendKeyFile: forem-to-vdab.key
                receive: [vacancy, trainee]
                send: [vacancy, trainee]
                limits: { attempts: 3, firstDelay: 1s }
            """)
        let vdabPath = try temp.write("vdab.yaml", """
            agency: VDAB
            listen: 127.0.0.1:0
            store: vdab/ledger.sqlite
            delivery: { folder: vdab/incoming, vacancy: vdab, trainee: vdab }
            peers:
              FOREM:
                receiveKeyFile: forem-to-vdab.key
                receive: [vacancy]
            """)
        let both = try LocalNetwork.onFreePorts([try GatewayConfiguration.load(foremPath), try GatewayConfiguration.load(vdabPath)])
        forem = both[0]
        vdab = both[1]
    }

    /// Le Forem's fixture vacancies and trainee records, exported into its outgoing folder.
    func exportFixtures() throws {
        let outgoing = forem.pickup!.folder!
        for (type, fixture) in [("vacancy", "forem/vacancies.xml"), ("trainee", "forem/trainees.xml")] {
            try FileManager.default.createDirectory(atPath: "\(outgoing)/\(type)", withIntermediateDirectories: true)
            try PrivateFiles.writeAtomically(try Translation.fixture(fixture), to: "\(outgoing)/\(type)/a.xml")
        }
    }

    /// VDAB's mappings: the project's, without one appellation (so VDAB rejects Le Forem's TIG welder).
    func brokenMappings() throws -> MappingsFolder {
        let mappings = try temp.mappingsCopy()
        for file in ["rome-v3-appellations.tsv", "rome-v4-appellations.tsv"] {
            let path = mappings.path + "/taxonomy/" + file
            let text = String(decoding: try LocalFiles.bytes(path), as: UTF8.self)
            try PrivateFiles.writeAtomically(Array(text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("19475\t") }
                .joined(separator: "\n").utf8), to: path)
        }
        return mappings
    }
}

@Suite("Resubmission by operators", .bounded)
struct ResubmissionTests {
    @Test("batches failed and records rejected by a peer are fixed, resubmitted in bulk, accepted once, audited and chained")
    func bulk() async throws {
        var n = try ResubmissionNetwork()
        // VDAB does not know appellation 19475 and takes no trainee records yet.
        var vdab = try await LocalNetwork.start([n.vdab], mappings: try n.brokenMappings(), scheduledPickup: false)
        let forem = try await LocalNetwork.start([n.forem], mappings: Project.mappings, scheduledPickup: false)
        let node = try #require(forem.nodes[.forem])
        try n.exportFixtures()
        try await node.pickup!.run()
        #expect(try await forem.waitUntilQuiet())

        let failed = try await node.store.batches(BatchFilter(state: .failed))
        let rejected = try await node.store.batches(BatchFilter(state: .rejectedRecords))
        #expect(failed.map(\.recordType) == ["trainee"])
        let all = try await node.store.batches(BatchFilter())
        #expect(rejected.map(\.rejected) == [1], "\(all)")
        let firstRejected = try #require(rejected.first)
        let rejection = try #require(try await node.store.batch(firstRejected.batchId)?.rejections.first)
        #expect(rejection.code == "UNKNOWN_OCCUPATION" && rejection.field == "occupationAppellation")
        let answer = try #require(try await node.store.batch(failed[0].batchId)?.attempts.last?.answer)
        #expect(answer.hasPrefix("403 "))

        // The fix: VDAB gets the full mappings and agrees to trainee records; restarted on its store and address.
        try await vdab.stop()
        n.vdab.peers[.forem]!.receives = [.vacancy, .trainee]
        vdab = try await LocalNetwork.start([n.vdab], mappings: Project.mappings, scheduledPickup: false)

        // Resubmit in bulk: what failed and what was rejected, oldest first.
        var selection = BatchFilter(direction: .sent)
        selection.notResubmitted = true
        var ids: [String] = []
        for state in [BatchFilter.State.failed, .rejectedRecords] {
            selection.state = state
            ids += try await node.store.batches(selection).map(\.batchId)
        }
        #expect(ids.count == 2)
        var newIds: [String: [String]] = [:]
        for id in ids {
            let planned = try await node.resubmission.plan(id)
            #expect(planned.refusal == nil && planned.stillFailing.isEmpty)
            #expect(try await node.resubmission.commit(planned, actor: "test:operator", reason: "appellation 19475 added; trainees agreed (ticket 42)"))
            newIds[id] = planned.newBatchIds
        }
        // Run again, as after an interruption: nothing left to do.
        for id in ids { #expect(try await node.resubmission.plan(id).refusal?.hasPrefix("resubmitted already") == true) }
        #expect(try await forem.waitUntilQuiet())

        // Every record accepted once at VDAB: the four vacancies and the trainee record referred by VDAB.
        let received = try SQLiteStore(path: n.vdab.sqlitePath!)
        for id in ["FO-4481236", "FO-4481237", "FO-4481238", "FO-4481239"] {
            let history = try await received.history(origin: .forem, recordId: id)
            #expect(history.received.filter { $0.outcome == .accepted }.count == 1, "\(id): \(history.received)")
        }
        let welder = try await received.history(origin: .forem, recordId: rejection.recordId)
        #expect(welder.received.map(\.outcome) == [.rejected, .accepted])
        #expect(try await received.latestReceived(origin: .forem, recordId: "CEN-2026-0310") != nil)
        for (old, new) in newIds {
            let detail = try #require(try await node.store.batch(new[0]))
            #expect(detail.summary.state == .delivered)
            #expect(detail.chain == [old, new[0]])
            #expect(try await node.store.batch(old)?.chain == [old, new[0]])
        }
        let audit = try await node.store.auditLog()
        #expect(audit.count == 2)
        #expect(audit.allSatisfy { $0.actor == "test:operator" && $0.action == "resubmit" && $0.reason == "appellation 19475 added; trainees agreed (ticket 42)" })
        #expect(Set(audit.map(\.target)) == Set(ids))
        try await vdab.stop()
        try await forem.stop()
    }
}
