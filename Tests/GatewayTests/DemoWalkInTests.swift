import Foundation
import Gateway
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The first hour (issue 37): `gateway demo --keep-running --folder DIR` as a person runs it.
@Suite("The demo you can walk into: tokens, URLs and configurations left behind", .bounded,
       .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
struct DemoWalkInTests {
    @Test("the kept-running demo prints a staff token that signs in to a dashboard naming its gateway, leaves configurations that gateway batches list reads, and stops on SIGINT",
          .timeLimit(.minutes(4)))
    func walkIn() async throws {
        let temp = TemporaryFolder()
        let folder = temp.path("demo")
        let outFile = temp.path("demo.out")
        _ = FileManager.default.createFile(atPath: outFile, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outFile))
        // Standard output to a file, polled: no pipe torn down with its process (see GatewayProcess).
        let demo = Process()
        demo.executableURL = URL(fileURLWithPath: Executable.path)
        demo.arguments = ["demo", "--keep-running", "--folder", folder]
        demo.currentDirectoryURL = Project.root
        demo.standardOutput = out
        demo.standardError = out
        let ended = ChildProgram.Exit()
        demo.terminationHandler = { _ in ended.happened.withLock { $0 = true } }
        try demo.run()
        defer { if demo.isRunning { demo.terminate() } }

        var printed = ""
        let deadline = ContinuousClock.now + .seconds(120)
        while !printed.contains("stops the 5 gateways cleanly"), ContinuousClock.now < deadline, !ended.happened.withLock({ $0 }) {
            try await Task.sleep(for: .milliseconds(200))
            printed = (try? String(contentsOfFile: outFile, encoding: .utf8)) ?? ""
        }
        try #require(printed.contains("stops the 5 gateways cleanly"), "the demo did not come up: \(printed.suffix(2000))")
        func field(after prefix: String) -> String? {
            printed.split(separator: "\n").last { $0.hasPrefix(prefix) }.map { $0.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces) }
        }
        let staff = try #require(field(after: "  staff (stats)"))
        #expect(staff.count == 64)
        let vdabLine = try #require(field(after: "  VDAB    "))
        let admin = try #require(vdabLine.components(separatedBy: "  ·  ").first { $0.hasSuffix("/dashboard") }?.dropLast("/dashboard".count)).description

        // The sign-in page names the gateway and where a token comes from; the printed token opens the dashboard.
        let page = try await HTTP.send(admin + "/login?lang=nl")
        #expect(page.status == 200 && page.body.contains("Gateway van VDAB") && page.body.contains("gateway operators add"), "\(page.body.prefix(600))")
        let (csrf, signInCookie) = try StaffSignInTests.signInForm(page)
        let origin = ("Origin", "http://" + admin.dropFirst("http://".count).prefix { $0 != "/" })
        let signed = try await HTTP.send(admin + "/login?lang=nl", method: "POST",
                                         headers: [("Content-Type", "application/x-www-form-urlencoded"), signInCookie, origin],
                                         body: Array("token=\(staff)&csrf=\(csrf)".utf8))
        #expect(signed.status == 303, "\(signed.status) \(signed.body.prefix(300))")
        let session = try #require(StaffSignInTests.cookie(signed)).prefix { $0 != ";" }
        let dashboard = try await HTTP.send(admin + "/dashboard?lang=nl", headers: [("Cookie", String(session))])
        #expect(dashboard.status == 200 && dashboard.body.contains("VDAB"))

        // The configuration left behind: an operator command on the demo's own ledger.
        let listed = try await Executable.run(["batches", "list", "--config", folder + "/vdab.yaml"])
        #expect(listed.status == 0, "\(listed.err)")
        #expect(listed.out.contains("FOREM") && listed.out.contains("delivered"), "\(listed.out.prefix(800))")

        // Ctrl-C: the five gateways stop cleanly.
        kill(demo.processIdentifier, SIGINT)
        let stop = ContinuousClock.now + .seconds(30)
        while !ended.happened.withLock({ $0 }), ContinuousClock.now < stop { try await Task.sleep(for: .milliseconds(100)) }
        #expect(ended.happened.withLock { $0 }, "the demo did not stop on SIGINT")
        if ended.happened.withLock({ $0 }) { #expect(demo.terminationStatus == 0, "\(printed.suffix(1000))") }
        try? out.close()
    }
}
