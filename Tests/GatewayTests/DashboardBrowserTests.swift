import Foundation
import Gateway
import LedgerTestSupport
import Model
import Testing

@Suite("The dashboard in a real browser", .bounded, .enabled(if: Chromium.available || Chromium.required, "chromium is not installed (.ci/run installs it): skipped"))
struct DashboardBrowserTests {
    @Test("headless Chromium renders the dashboard: the trainee matrix with its numbers, the chart, and a screenshot")
    func rendered() async throws {
        guard Chromium.available else { Issue.record("chromium is not installed, and GATEWAY_REQUIRE_BROWSER=1 requires it"); return }
        let temp = TemporaryFolder()
        let demo = Demo(project: Project.root, folder: temp.path("demo")) { _ in }
        #expect(try await demo.run(keepRunning: false).succeeded)
        // An operator sees the exact counts (a stats token sees small cells as <5: StatisticsAPITests).
        let token = OperatorTokens.make(name: "alice", role: .operator)
        var actiris = try #require(try demo.configurations().first { $0.agency == .actiris })
        let f = token.line.split(separator: " ").map(String.init)
        actiris.operators = OperatorTokens(entries: [(f[0], .operator, f[2])])
        let network = try await LocalNetwork.start([actiris], mappings: Project.mappings, scheduledPickup: false)
        let url = try await HTTP.page(try #require(network.adminURLs[.actiris]) + "/dashboard?lang=fr", token: token.token, into: temp.path("dashboard.html"))

        // The DOM after rendering: Actiris's trainee matrix — referred by Actiris, trained at BF (2) and at Le Forem (1).
        let dom = try await Chromium.run(["--dump-dom", url])
        #expect(dom.status == 0)
        #expect(dom.out.contains("Échanges interrégionaux"))
        #expect(dom.out.contains("<tr><th class=\"l\">ACTIRIS</th><td>2</td><td>1</td><td>3</td></tr>"), "\(dom.out.prefix(3000))")
        #expect(dom.out.contains("flows-over-time"))
        // A screenshot, as a person would see it.
        let shot = temp.path("dashboard.png")
        _ = try await Chromium.run(["--screenshot=\(shot)", "--window-size=1200,1400", url])
        let png = try LocalFiles.bytes(shot)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(png.count > 10_000)
        try await network.stop()
    }
}
