import ExchangeProtocol
import Foundation
import Gateway
import GRDB
import Ledger
import LedgerTestSupport
import Model
import Testing

/// The audit log as an attacker would use it (issue 35, item 3): requests with a wrong token and a
/// huge path must not fill the ledger, nor hide an operator's payload read from the audit API.
@Suite("The audit log: bounded refusals, paged and filtered reads", .bounded)
struct AuditTests {
    @Test("1,000 bad-token requests with 60 KB paths add under 1 MB to the ledger, as two entries a minute (the first, then the count from its address); the operator's last payload read stays in view; pages by id")
    func badTokens() async throws {
        var n = try ResubmissionNetwork()
        let alice = OperatorTokens.make(name: "alice", role: .operator)
        n.forem.operators = try OperatorTokens.load(try n.temp.write("operators.tokens", "# name role sha256\n\(alice.line)\n"))
        let forem = try await LocalNetwork.start([n.forem], mappings: Project.mappings, scheduledPickup: false)
        let node = try #require(forem.nodes[.forem])
        let base = try #require(forem.adminURLs[.forem]) + "/admin/v1"
        try n.exportFixtures()
        try await node.pickup!.run()
        // A vacancy batch: a trainee batch's payload also needs the trainee-payloads grant.
        let batch = try #require(try await node.store.batches(BatchFilter(direction: .sent)).first { $0.recordType == "vacancy" }).batchId
        #expect(try await AdminAPITests.call("GET", base + "/batches/\(batch)/payload", token: alice.token).status == 200)

        let ledger = try #require(n.forem.sqlitePath)
        func size() async throws -> Int {
            let database = try DatabaseQueue(path: ledger)
            defer { try? database.close() }
            try await database.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            return try FileManager.default.attributesOfItem(atPath: ledger)[.size] as! Int
        }
        let before = try await size()
        let huge = String(repeating: "x", count: 60_000)
        let started = ContinuousClock.now
        for _ in 0..<1_000 {
            #expect(try await AdminAPITests.call("GET", base + "/batches/\(huge)", token: "not-a-token").status == 401)
        }
        let minutes = Int((ContinuousClock.now - started).components.seconds / 60) + 1
        let added = try await size() - before
        #expect(added < 1 << 20, "the ledger grew by \(added) bytes")
        // Read through the API, which writes the count first: the first refusal of each minute, then
        // "N more" for the rest of it — two entries when the thousand took under a minute (a slow
        // machine takes more minutes, two entries each), all the thousand counted.
        let log = try JSONDecoder().decode([AuditEntry].self, from: Data(try await AdminAPITests.call("GET", base + "/audit?limit=50", token: alice.token).body.utf8))
        let refusals = Array(log.prefix { $0.action == "refused-token" })
        #expect(refusals.count >= 2 && refusals.count <= 2 * minutes, "\(refusals.count) entries for \(minutes) minute(s)")
        let counted = refusals.reduce(0) { n, e in
            n + ((e.detail ?? "").hasPrefix("no operator has this token; from 127.0.0.1") ? 1 : Int((e.detail ?? "").prefix { $0.isNumber }) ?? 0)
        }
        #expect(counted == 1_000, "\(refusals.map { $0.detail ?? "" })")
        #expect(refusals.first?.detail?.contains(" more refused from 127.0.0.1, ") == true, "\(refusals.first?.detail ?? "")")
        #expect(refusals.last?.detail == "no operator has this token; from 127.0.0.1", "\(refusals.last.map { "\($0)" } ?? "")")
        #expect(refusals.allSatisfy { $0.target.count < 220 }, "\(refusals.map(\.target.count))")
        #expect(refusals.last?.target.hasSuffix("… (60018 bytes)") == true)
        let recent = Array(log.prefix(refusals.count + 1))
        #expect(recent.last?.action == "read-payload" && recent.last?.actor == "api:alice" && recent.last?.target == batch, "\(recent.last.map { "\($0)" } ?? "")")

        // Found by its action too, and by paging one entry at a time.
        let reads = try await AdminAPITests.call("GET", base + "/audit?action=read-payload", token: alice.token)
        let entries = try JSONDecoder().decode([AuditEntry].self, from: Data(reads.body.utf8))
        #expect(entries.map { "\($0.actor) \($0.action) \($0.target)" } == ["api:alice read-payload \(batch)"], "\(reads.body.prefix(600))")
        var paged: [AuditEntry] = [], after = ""
        for _ in 0..<recent.count {
            let one = try JSONDecoder().decode([AuditEntry].self, from: Data(try await AdminAPITests.call("GET", base + "/audit?limit=1\(after)", token: alice.token).body.utf8))
            paged += one
            after = "&before=\(try #require(one.last?.id))"
        }
        #expect(paged.map(\.id) == recent.map(\.id))
        for bad in ["limit=0", "limit=1001", "before=x", "since=yesterday"] {
            #expect(try await AdminAPITests.call("GET", base + "/audit?\(bad)", token: alice.token).status == 400, "\(bad)")
        }
        try await forem.stop()
    }
}
