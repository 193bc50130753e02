import AsyncHTTPClient
import ExchangeHTTP
import ExchangeProtocol
import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import Model
import NIOCore
import Testing

@Suite("The operators' HTTP API", .bounded)
struct AdminAPITests {
    static func call(_ method: String, _ url: String, token: String?, body: String? = nil) async throws -> HTTP.Answer {
        var headers: [(String, String)] = []
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if body != nil { headers.append(("Content-Type", "application/json")) }
        return try await HTTP.send(url, method: method, headers: headers, body: body.map { Array($0.utf8) })
    }

    @Test("tokens and roles; list, show, history and audit as the CLI gives them; bulk resubmission with a reason")
    func api() async throws {
        var n = try ResubmissionNetwork()
        let alice = OperatorTokens.make(name: "alice", role: .operator), bob = OperatorTokens.make(name: "bob", role: .read)
        let tokensFile = try n.temp.write("operators.tokens", "# name role sha256\n\(alice.line)\n\(bob.line)\n")
        n.forem.operators = try OperatorTokens.load(tokensFile)
        var vdab = try await LocalNetwork.start([n.vdab], mappings: try n.brokenMappings(), scheduledPickup: false)
        let forem = try await LocalNetwork.start([n.forem], mappings: Project.mappings, scheduledPickup: false)
        let node = try #require(forem.nodes[.forem])
        let base = try #require(forem.adminURLs[.forem]) + "/admin/v1"
        try n.exportFixtures()
        try await node.pickup!.run()
        #expect(try await forem.waitUntilQuiet())

        // Who may do what.
        #expect(try await Self.call("GET", base + "/batches", token: nil).status == 401)
        #expect(try await Self.call("GET", base + "/batches", token: "not-a-token").status == 401)
        #expect(try await Self.call("GET", base + "/batches?state=lost", token: bob.token).status == 400)
        #expect(try await Self.call("POST", base + "/resubmissions", token: bob.token, body: #"{"failed": true, "reason": "x"}"#).status == 403)
        #expect(try await Self.call("POST", base + "/resubmissions", token: alice.token, body: #"{"failed": true}"#).status == 400)

        // The same answers as the command line, for the same ledger.
        let list = try await Self.call("GET", base + "/batches", token: bob.token)
        #expect(list.status == 200)
        let batches = try JSONDecoder().decode([BatchSummary].self, from: Data(list.body.utf8))
        #expect(batches == (try await node.store.batches(BatchFilter())))
        let failedId = try #require(batches.first { $0.state == .failed }).batchId
        let show = try await Self.call("GET", base + "/batches/\(failedId)", token: bob.token)
        let history = try await Self.call("GET", base + "/records/forem/FO-4481236", token: bob.token)
        if Executable.available {
            let config = n.temp.path("forem.yaml")
            #expect(try await Executable.run(["batches", "list", "--config", config, "--json"]).out == list.body + "\n")
            #expect(try await Executable.run(["batches", "show", "--config", config, "--json", failedId]).out == show.body + "\n")
            #expect(try await Executable.run(["records", "show", "--config", config, "--json", "FOREM", "FO-4481236"]).out == history.body + "\n")
            // The command's own refusals: no reason, nothing selected; a dry run sends nothing and says so.
            #expect(try await Executable.run(["batches", "resubmit", "--config", config, "--failed"]).status == 2)
            #expect(try await Executable.run(["batches", "resubmit", "--config", config, "--reason", "x"]).status == 2)
            let dry = try await Executable.run(["batches", "resubmit", "--config", config, "--failed", "--dry-run"])
            #expect(dry.status == 0 && dry.out.contains("\(failedId) → VDAB: 1 records") && dry.out.contains("nothing sent"), "\(dry.out)\(dry.err)")
            #expect(try await Executable.run(["stats", "vacancies", "--config", config, "--by", "gender"]).status == 2)
        }

        // A dry run sends nothing; after the fix, a bulk resubmission with a reason does.
        let dry = try await Self.call("POST", base + "/resubmissions", token: alice.token, body: #"{"failed": true, "rejectedRecords": true, "dryRun": true}"#)
        let dryResult = try JSONDecoder().decode(AdminRoutes.ResubmissionResult.self, from: Data(dry.body.utf8))
        #expect(dryResult.batches.count == 2 && dryResult.batches.allSatisfy { !$0.sent && $0.refusal == nil })
        try await vdab.stop()
        n.vdab.peers[.forem]!.receives = [.vacancy, .trainee]
        vdab = try await LocalNetwork.start([n.vdab], mappings: Project.mappings, scheduledPickup: false)
        let done = try await Self.call("POST", base + "/resubmissions", token: alice.token,
                                       body: #"{"failed": true, "rejectedRecords": true, "reason": "fixed at VDAB (ticket 9)"}"#)
        let result = try JSONDecoder().decode(AdminRoutes.ResubmissionResult.self, from: Data(done.body.utf8))
        #expect(result.batches.count == 2 && result.batches.allSatisfy { $0.sent && $0.newBatchIds.count == 1 })
        let again = try await Self.call("POST", base + "/resubmissions", token: alice.token, body: #"{"failed": true, "rejectedRecords": true, "reason": "again"}"#)
        #expect(try JSONDecoder().decode(AdminRoutes.ResubmissionResult.self, from: Data(again.body.utf8)).batches.isEmpty)   // nothing left
        #expect(try await forem.waitUntilQuiet())
        let audit = try JSONDecoder().decode([AuditEntry].self, from: Data(try await Self.call("GET", base + "/audit", token: bob.token).body.utf8))
        let resubmissions = audit.filter { $0.action == "resubmit" }
        #expect(resubmissions.count == 2 && resubmissions.allSatisfy { $0.actor == "api:alice" && $0.reason == "fixed at VDAB (ticket 9)" })
        // The rest is access: the record-history lookups, the refused tokens of the role checks above.
        #expect(Set(audit.map(\.action)).subtracting(["resubmit", "record-history", "refused-token", "read-payload"]).isEmpty, "\(audit.map(\.action))")
        try await vdab.stop()
        try await forem.stop()
    }
}
