import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import Model
import Statistics
import Testing

/// The synthetic year 2019 of `fixtures/year2019/plan.yaml` through the five gateways on loopback:
/// the published figures come out of the receivers' statistics, with updates, conflicting and stale
/// versions and replays mixed in; the monthly counts agree with the record rows; Le Forem's
/// dashboard, in a real browser, shows the year's trainee matrix.
@Suite("The synthetic year 2019", .bounded)
struct YearTests {
    static let plan = Project.root.appendingPathComponent("fixtures/year2019/plan.yaml").path

    @Test("reproduces the published figures through the real exchange path, and the dashboard shows the 2019 matrix")
    func year2019() async throws {
        let temp = TemporaryFolder()
        let plan = try YearPlan.load(Self.plan)
        let outcome = try await YearRun(project: Project.root, folder: temp.path("year"), plan: plan) { _ in }.run()
        let network = outcome.network
        #expect(outcome.quiet)
        // The published figures, counted as distinct records; messages count more (updates).
        #expect(outcome.figures.map(\.published) == [258_246, 47, 327, 171, 35, 354, 32])
        for figure in outcome.figures {
            #expect(figure.records == figure.published, "\(figure.name)")
            #expect(figure.messages > figure.records, "\(figure.name): the updates are messages")
        }
        // The traffic mixed in happened, and changed nothing above.
        #expect(outcome.rejected["VERSION_CONFLICT", default: 0] > 0)
        #expect(outcome.rejected["STALE_VERSION", default: 0] > 0)
        #expect(outcome.replays > 0)
        // Each receiver answered them as replays (its metrics count them).
        let replayed = network.nodes.values.reduce(0) { n, node in
            n + node.metrics.exposition().split(separator: "\n").filter { $0.hasPrefix("gateway_batches_received_total") && $0.contains("result=\"replayed\"") }
                .reduce(0) { $0 + (Int($1.split(separator: " ").last ?? "") ?? 0) }
        }
        #expect(replayed == outcome.replays, "every replay answered as a replay")

        let now = Date()
        for (agency, node) in network.nodes {
            let statistics = FlowStatistics(store: node.store, agency: agency)
            // The monthly counts answer as the record rows do.
            for (subject, by) in [(FlowQuery.Subject.vacancies, [Breakdown.month, .origin]), (.trainees, [.origin, .training]), (.vacancies, [.year]),
                                  (.trainees, [.quarter, .origin, .destination]), (.vacancies, [])] {
                for mode in [CountingMode.records, .messages] {
                    let query = try FlowQuery(subject: subject, by: by, year: 2019, mode: mode)
                    let fast = try await statistics.answer(query, now: now), slow = try await statistics.answer(query, now: now, monthly: false)
                    #expect(fast == slow, "\(agency) \(subject) by \(by) \(mode)")
                }
            }
            // Outcome: the refused records that were never accepted are apart from the accepted ones,
            // which are the distinct records.
            let outcomes = try await statistics.answer(try FlowQuery(subject: .vacancies, by: [.outcome], year: 2019), now: now)
            let all = try await statistics.answer(try FlowQuery(subject: .vacancies, by: [], year: 2019), now: now)
            #expect(zip(outcomes.rows, outcomes.counts).first { $0.0 == ["accepted"] }.map(\.1) ?? 0 == all.total, "\(agency)")
            #expect(!all.provisional)
        }
        // What Le Forem sent is what the others received from it.
        let forem = FlowStatistics(store: network.nodes[.forem]!.store, agency: .forem)
        let sent = try await forem.answer(try FlowQuery(subject: .vacancies, by: [.destination], year: 2019, direction: .sent))
        for (row, n) in zip(sent.rows, sent.counts) {
            let peer = Agency(rawValue: row[0])!
            let received = try await FlowStatistics(store: network.nodes[peer]!.store, agency: peer)
                .answer(try FlowQuery(subject: .vacancies, by: [.origin], year: 2019))
            #expect(zip(received.rows, received.counts).first { $0.0 == ["FOREM"] }?.1 == n, "FOREM → \(peer)")
        }
        try await network.stop()

        // Le Forem's dashboard for 2019, in headless Chromium: the matrix of what it received and sent.
        guard Chromium.available else {
            if Chromium.required { Issue.record("chromium is not installed, and GATEWAY_REQUIRE_BROWSER=1 requires it") }
            else { print("chromium is not installed (.ci/run installs it): the 2019 dashboard is not rendered") }
            return
        }
        let token = OperatorTokens.make(name: "analyst", role: .stats)
        let demo = Demo(project: Project.root, folder: temp.path("year")) { _ in }
        var configuration = try #require(try demo.configurations().first { $0.agency == .forem })
        let f = token.line.split(separator: " ").map(String.init)
        configuration.operators = OperatorTokens(entries: [(f[0], .stats, f[2])])
        let alone = try await LocalNetwork.start([configuration], mappings: Project.mappings, scheduledPickup: false)
        let url = try await HTTP.page(try #require(alone.adminURLs[.forem]) + "/dashboard?lang=nl&year=2019", token: token.token, into: temp.path("dashboard-2019.html"))
        let dom = try await Chromium.run(["--dump-dom", url])
        #expect(dom.status == 0)
        // Columns: training agency ADG, BF, FOREM, VDAB, total. The BF/Actiris figure (327) is two rows.
        for row in ["<tr><th class=\"l\">ACTIRIS</th><td>0</td><td>0</td><td>163</td><td>0</td><td>163</td></tr>",
                    "<tr><th class=\"l\">ADG</th><td>0</td><td>0</td><td>47</td><td>0</td><td>47</td></tr>",
                    "<tr><th class=\"l\">BF</th><td>0</td><td>0</td><td>164</td><td>0</td><td>164</td></tr>",
                    "<tr><th class=\"l\">FOREM</th><td>35</td><td>354</td><td>0</td><td>32</td><td>421</td></tr>",
                    "<tr><th class=\"l\">VDAB</th><td>0</td><td>0</td><td>171</td><td>0</td><td>171</td></tr>"] {
            #expect(dom.out.contains(row), "\(row)")
        }
        let shot = temp.path("dashboard-2019.png")
        _ = try await Chromium.run(["--screenshot=\(shot)", "--window-size=1200,1600", url])
        #expect(try LocalFiles.bytes(shot).count > 10_000)
        try await alone.stop()
    }

    @Test("a plan with faults is refused with what is wrong")
    func badPlans() throws {
        let temp = TemporaryFolder()
        let good = try String(contentsOfFile: Self.plan, encoding: .utf8)
        for (change, message) in [(("exchanged: 258246", "exchanged: many"), "vacancies.exchanged"),
                                  (("origins: { VDAB: 0.45", "origins: { LUX: 0.45"), "vacancies.origins.LUX is not one of between"),
                                  (("replaysPercent: 5", "replaysPercent: 500"), "replaysPercent: a percentage is between 0 and 100"),
                                  (("referring: [FOREM], training: ADG", "referring: [ADG], training: ADG"), "trainees[3]"),
                                  (("year: 2019", "yeer: 2019"), "year is missing")] {
            let path = temp.path("plan.yaml")
            try Data(good.replacingOccurrences(of: change.0, with: change.1).utf8).write(to: URL(fileURLWithPath: path))
            #expect { try YearPlan.load(path) } throws: { "\($0)".contains(message) }
        }
    }
}
