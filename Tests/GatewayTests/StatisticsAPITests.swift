import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import Model
import Statistics
import Testing

@Suite("Statistics over HTTP and the dashboard", .bounded)
struct StatisticsAPITests {
    @Test("/stats answers as the statistics module does; /dashboard shows the trainee matrix in the viewer's language; tokens and roles",
          .timeLimit(.minutes(3)))
    func api() async throws {
        let temp = TemporaryFolder()
        let demo = Demo(project: Project.root, folder: temp.path("demo")) { _ in }
        #expect(try await demo.run(keepRunning: false).succeeded)
        // Le Forem's gateway again on its ledger, now with a stats token and an operator's.
        let stats = OperatorTokens.make(name: "analyst", role: .stats), alice = OperatorTokens.make(name: "alice", role: .operator)
        var forem = try #require(try demo.configurations().first { $0.agency == .forem })
        forem.operators = .of(stats, alice)
        let network = try await LocalNetwork.start([forem], mappings: Project.mappings, scheduledPickup: false)
        let base = try #require(network.adminURLs[.forem])

        #expect(try await AdminAPITests.call("GET", base + "/stats/vacancies", token: nil).status == 401)
        #expect(try await AdminAPITests.call("GET", base + "/admin/v1/batches", token: stats.token).status == 403)   // statistics only
        #expect(try await AdminAPITests.call("GET", base + "/stats/vacancies?by=gender", token: stats.token).status == 400)

        let answer = try await AdminAPITests.call("GET", base + "/stats/vacancies?by=origin,status&mode=messages", token: stats.token)
        #expect(answer.status == 200)
        let table = try JSONDecoder().decode(StatisticsTable.self, from: Data(answer.body.utf8))
        let store = try SQLiteStore(path: forem.sqlitePath!)
        #expect(table == (try await FlowStatistics(store: store, agency: .forem).answer(try FlowQuery(subject: .vacancies, by: [.origin, .status], mode: .messages))))
        let health = try JSONDecoder().decode(HealthReport.self, from: Data(try await AdminAPITests.call("GET", base + "/stats/health", token: stats.token).body.utf8))
        // From VDAB: two vacancy batches (4 records, then the filled one) and one trainee batch (1 record).
        #expect(health.traffic.filter { $0.peer == "VDAB" && $0.direction == "in" }.map(\.records).reduce(0, +) == 6)
        #expect(health.deliveryLatency.batches == health.traffic.filter { $0.direction == "out" }.map(\.batches).reduce(0, +))

        // The dashboard: Le Forem's trainee matrix — received: referred by Le Forem, trained at ADG and
        // at VDAB; sent: trained at Le Forem, referred by Actiris, BF and VDAB.
        let nl = try await AdminAPITests.call("GET", base + "/dashboard?lang=nl", token: alice.token)
        #expect(nl.status == 200)
        #expect(nl.body.contains("<html lang=\"nl\">"))
        #expect(nl.body.contains("Interregionale uitwisseling"))
        for row in ["<tr><th class=\"l\">FOREM</th><td>1</td><td>0</td><td>1</td><td>2</td></tr>", "<tr><th class=\"l\">ACTIRIS</th><td>0</td><td>1</td><td>0</td><td>1</td></tr>",
                    "<tr><th class=\"l\">BF</th><td>0</td><td>1</td><td>0</td><td>1</td></tr>", "<tr><th class=\"l\">VDAB</th><td>0</td><td>1</td><td>0</td><td>1</td></tr>"] {
            #expect(nl.body.contains(row), "\(row)")
        }
        #expect(nl.body.contains("<svg id=\"flows-over-time\""))
        #expect(!nl.body.contains("<script"))
        #expect(!nl.body.contains("src=") && !nl.body.contains("href=\"http"))   // nothing fetched from elsewhere
        let de = try await HTTP.send(base + "/dashboard", headers: [("Accept-Language", "de-BE,de;q=0.9,fr;q=0.8"), ("Authorization", "Bearer \(stats.token)")])
        #expect(de.body.contains("Interregionaler Austausch"))

        // A stats token sees the trainee counts of the demo (1s and 2s) protected; vacancies stay exact.
        let protected = try await AdminAPITests.call("GET", base + "/dashboard?lang=nl", token: stats.token)
        #expect(protected.body.contains("<tr><th class=\"l\">FOREM</th><td>&lt;5</td><td>0</td><td>&lt;5</td><td>&lt;5</td></tr>"), "\(protected.body)")
        let matrix = try #require(protected.body.components(separatedBy: "id=\"trainee-matrix\"").dropFirst().first?.components(separatedBy: "</table>").first)
        #expect(!(1...4).contains { matrix.contains("<td>\($0)</td>") }, "a small count in the matrix: \(matrix)")
        let trainees = try await AdminAPITests.call("GET", base + "/stats/trainees?by=origin", token: stats.token)
        #expect(trainees.status == 200 && trainees.body.contains("\"<5\"") && trainees.body.contains("\"minimumCell\" : 5"), "\(trainees.body)")
        let decoded = try JSONDecoder().decode(StatisticsTable.self, from: Data(trainees.body.utf8))
        #expect(!decoded.protected.isEmpty && decoded.protected.allSatisfy { decoded.counts[$0] == 0 }, "the number is not in the answer")
        let exact = try JSONDecoder().decode(StatisticsTable.self, from: Data(try await AdminAPITests.call("GET", base + "/stats/trainees?by=origin", token: alice.token).body.utf8))
        #expect(exact.protected.isEmpty && exact.minimumCell == nil && exact.total > 0)
        let vacancies = try JSONDecoder().decode(StatisticsTable.self, from: Data(try await AdminAPITests.call("GET", base + "/stats/vacancies?by=origin", token: stats.token).body.utf8))
        #expect(vacancies.protected.isEmpty && vacancies.minimumCell == nil)
        try await network.stop()
    }
}
