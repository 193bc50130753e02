import ExchangeHTTP
import ExchangeProtocol
import Foundation
import LedgerTestSupport
import Testing

@Suite("The gateway command", .bounded, .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
struct CommandTests {
    @Test("translate: 0 when every record translated, from standard input to standard output, summary on standard error")
    func success() async throws {
        let input = FileManager.default.contents(atPath: Project.root.appendingPathComponent("fixtures/adg/vacancies.json").path)!
        let r = try await Executable.run(["translate", "--from", "adg", "--to", "vdab", "-", "--store", "/nonexistent/none.sqlite"], stdin: input)
        #expect(r.status == 0)
        #expect(r.out.contains("\"vacatures\""))
        #expect(r.err.contains("3 read, 3 translated, 0 rejected"))
    }

    @Test("translate: 1 when some records were rejected, with each rejection on standard error")
    func rejected() async throws {
        let r = try await Executable.run(["translate", "--from", "vdab", "--to", "adg", "fixtures/broken/vdab-vacancy-check-digits.json", "--store", "/nonexistent/none.sqlite"])
        #expect(r.status == 1)
        #expect(r.err.contains("rejected #1 70012345: enterpriseNumber INVALID_ENTERPRISE_NUMBER"))
    }

    @Test("translate: 2 on a usage or document error, and no output file left behind", arguments: [
        ["translate", "--from", "vdab"],
        ["translate", "--from", "vdab", "--to", "klingon", "fixtures/vdab/vacancies.json"],
        ["translate", "--from", "forem", "--to", "vdab", "fixtures/vdab/vacancies.json", "-o", "/tmp/gateway-test-never-written.json"],
        ["translate", "--from", "vdab", "--to", "exchange-json", "fixtures/vdab/vacancies.json"],
    ])
    func failures(_ arguments: [String]) async throws {
        let r = try await Executable.run(arguments + ["--store", "/nonexistent/none.sqlite"])
        #expect(r.status == 2, "\(r.err)")
        #expect(!r.err.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/gateway-test-never-written.json"))
    }

    @Test("a near miss of a format is named: did you mean")
    func didYouMean() async throws {
        let format = try await Executable.run(["translate", "--from", "vdab", "--to", "forme", "fixtures/vdab/vacancies.json", "--store", "/nonexistent/none.sqlite"])
        #expect(format.status == 2 && format.err.contains("unknown format 'forme' — did you mean forem?"), "\(format.err)")
    }

    @Test("taxonomy resolve prints the pivot, or the rejection code and status 1")
    func resolve() async throws {
        let ok = try await Executable.run(["taxonomy", "resolve", "--scheme", "ROME4", "M1811", "--lang", "nl", "--store", "/nonexistent/none.sqlite"])
        #expect(ok.status == 0)
        #expect(ok.out == "ROME4 M1811 → M1802  Expertise en ondersteuning in informatiesystemen\n")
        let bad = try await Executable.run(["taxonomy", "resolve", "--scheme", "ROME", "Z9999", "--store", "/nonexistent/none.sqlite"])
        #expect(bad.status == 1)
        #expect(bad.err.contains("UNKNOWN_OCCUPATION: ROME fiche Z9999 does not exist in ROME v3"))
    }
}

@Suite("gateway serve, as a process", .bounded, .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
struct ServeTests {
    /// A configuration for VDAB listening on a free loopback port, with FOREM as its peer.
    static func configuration(in temp: TemporaryFolder, keyMode: Int = 0o600, port: Int = 0, extra: String = "") throws -> String {
        let key = try temp.write("forem-to-vdab.key", "0123456789abcdef0123456789abcdef")
        try FileManager.default.setAttributes([.posixPermissions: keyMode], ofItemAtPath: key)
        return try temp.write("vdab.yaml", """
            agency: VDAB
            listen: 127.0.0.1:\(port)
            admin: { listen: 127.0.0.1:0 }
            store: vdab.sqlite
            mappings: \(Project.mappings.path)
            delivery:
              folder: incoming
              vacancy: vdab
            peers:
              FOREM:
                receiveKeyFile: forem-to-vdab.key
                receive: [vacancy]
            \(extra)
            """)
    }

    @Test("serves the protocol on loopback, takes a signed batch, and stops cleanly on SIGTERM")
    func serves() async throws {
        let temp = TemporaryFolder()
        let gateway = GatewayProcess(config: try Self.configuration(in: temp))
        try await gateway.start()
        defer { gateway.kill() }
        let url = gateway.url
        #expect(url.hasPrefix("http://127.0.0.1:"))

        let health = try await HTTP.send(url + "/exchange/v1/health")
        #expect(health.status == 200)
        #expect(health.body == #"{"status":"ok"}"#)

        let body = try ReceivingFixture.batch()
        let signer = RequestSignature(key: Array("0123456789abcdef0123456789abcdef".utf8))
        let posted = try await HTTP.send(url + "/exchange/v1/batches", method: "POST", headers: HTTP.fields(ReceivingFixture.headers(signer, as: "FOREM", body: body)), body: body)
        #expect(posted.status == 200, "\(posted.body)")
        #expect(posted.body.contains("\"accepted\":4"))
        let metrics = try await HTTP.send(gateway.adminURL + "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(#"gateway_batches_received_total{peer="FOREM",type="vacancy",result="succeeded"} 1"#), "\(metrics.body)")
        #expect(metrics.body.contains(#"gateway_records_received_total{peer="FOREM",type="vacancy",outcome="accepted"} 4"#))
        #expect(!metrics.body.contains("FO-4481236"))   // no record id, no personal data, in labels
        // Handed to the back office in VDAB's own format, named by sender and batch (after the receipt).
        let name = "forem-0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77.json"
        try await Wait.until("the batch is in the back office's folder", timeout: .seconds(20)) {
            (try? FileManager.default.contentsOfDirectory(atPath: temp.path("incoming"))) == [name]
        }

        let stopped = try await gateway.stop()
        #expect(stopped.terminationReason == .exit)
        #expect(stopped.terminationStatus == 0)
    }

    @Test("a wrong setting stops the start, naming the key", arguments: [
        ("keyMode", "is readable by others"),
        ("peer", "peers.LUX: LUX is not an agency of the agency directory"),
        ("setting", "colour: unknown setting"),
    ])
    func refusesToStart(_ fault: String, _ fragment: String) async throws {
        let temp = TemporaryFolder()
        let config: String
        switch fault {
        case "keyMode": config = try Self.configuration(in: temp, keyMode: 0o644)
        case "peer":
            let key = try temp.write("lux-to-vdab.key", "fedcba9876543210fedcba9876543210")
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
            config = try Self.configuration(in: temp, extra: "  LUX:\n    receiveKeyFile: lux-to-vdab.key")
        default: config = try Self.configuration(in: temp, extra: "colour: blue")
        }
        let r = try await Executable.run(["serve", "--config", config])
        #expect(r.status == 2)
        #expect(r.err.contains(fragment), "\(r.err)")
        #expect(r.err.contains("vdab.yaml:"))
    }
}
