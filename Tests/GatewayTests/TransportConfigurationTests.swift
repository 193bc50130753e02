import ExchangeHTTP
import ExchangeProtocol
import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import Model
import Testing

/// What the configuration says about transport and trust: TLS on each listener, the peers'
/// certificates, clear text refused where trainee records would cross the network in it, the two
/// listeners, keys that rotate, a key used twice.
@Suite("A gateway's configuration: TLS, listeners, keys", .bounded)
struct TransportConfigurationTests {
    /// Le Forem's gateway exchanging vacancies and trainee records with VDAB, with certificates
    /// from a CA made for the test in `temp` (`forem.pem`, `forem.key`, `ca.pem`).
    static func write(_ temp: TemporaryFolder, peer: String = "", top: String = "", url: String = "https://127.0.0.1:8401",
                      tls: String? = nil) throws -> String {
        try temp.keys("vdab-to-forem.key", "forem-to-vdab.key", "forem-payload.key", "vdab-to-forem.next.key", "forem-to-vdab.next.key")
        if !FileManager.default.fileExists(atPath: temp.path("test-ca.pem")) {
            let ca = try TestCertificates(in: temp)
            _ = try ca.issue("FOREM")
        }
        let tlsLine = tls ?? "tls: { certificateFile: test-forem.pem, keyFile: test-forem.key, clientCAFile: test-ca.pem, requireClientCertificate: true, caFile: test-ca.pem }"
        return try temp.write("forem.yaml", """
            agency: FOREM
            listen: 0.0.0.0:8402
            \(tlsLine)
            store: forem.sqlite
            payloadKeyFile: forem-payload.key
            delivery: { folder: incoming, vacancy: forem, trainee: forem }
            peers:
              VDAB:
                url: \(url)
                receiveKeyFile: vdab-to-forem.key
                sendKeyFile: forem-to-vdab.key
                receive: [vacancy, trainee]
                send: [vacancy, trainee]
                certificate: { commonName: VDAB }
            \(peer.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            \(top)
            """)
    }

    @Test("TLS with mutual TLS on the exchange, the calls out trusting the CA file, a peer pinned; the admin listener on loopback by default")
    func parsed() async throws {
        let temp = TemporaryFolder()
        let c = try GatewayConfiguration.load(try Self.write(temp))
        let tls = try #require(c.tls)
        #expect(tls.identity == CertificateFiles(certificateFile: temp.path("test-forem.pem"), keyFile: temp.path("test-forem.key")))
        #expect(tls.clientCAFile == temp.path("test-ca.pem") && tls.requireClientCertificate)
        #expect(c.outgoing == OutgoingTLS(caFile: temp.path("test-ca.pem"), identity: tls.identity))
        #expect(c.peers[.vdab]?.certificate == .commonName("VDAB"))
        #expect(c.admin.host == "127.0.0.1" && c.admin.port == 9402 && c.admin.tls == nil)
        #expect(c.insecure.isEmpty)
        // A pin as openssl prints a fingerprint.
        let fingerprint = (0..<32).map { _ in "AB" }.joined(separator: ":")
        let text = try String(contentsOfFile: try Self.write(temp), encoding: .utf8)
            .replacingOccurrences(of: "certificate: { commonName: VDAB }", with: "certificate: { sha256: \"\(fingerprint)\" }")
        let c2 = try GatewayConfiguration.load(try temp.write("forem.yaml", text))
        #expect(c2.peers[.vdab]?.certificate == .sha256(String(repeating: "ab", count: 32)))
    }

    @Test("plain http:// to a trainee peer across the network is refused at start, saying how to allow it; allowed, it is a warning")
    func clearText() async throws {
        let temp = TemporaryFolder()
        let path = try Self.write(temp, url: "http://gateway.vdab.example:8401")
        #expect { try GatewayConfiguration.load(path) } throws: { error in
            "\(error)".contains("peers.VDAB: trainee records would cross the network with VDAB in clear text (peers.VDAB.url is http://)")
                && "\(error)".contains("set peers.VDAB.insecure: true to allow it")
        }
        let allowed = try GatewayConfiguration.load(try Self.write(temp, peer: "insecure: true", url: "http://gateway.vdab.example:8401"))
        #expect(allowed.insecure == ["peers.VDAB.insecure: trainee records cross the network with VDAB in clear text (peers.VDAB.url is http://)"])
        // On loopback nothing crosses a network: the demo's and the tests' configurations.
        _ = try GatewayConfiguration.load(try Self.write(temp, url: "http://127.0.0.1:8401"))
        // A listener on every address without TLS, taking trainee records: refused too.
        let noTLS = try Self.write(temp, url: "http://127.0.0.1:8401", tls: "")
        let text = try String(contentsOfFile: noTLS, encoding: .utf8).replacingOccurrences(of: "    certificate: { commonName: VDAB }\n", with: "")
        #expect { try GatewayConfiguration.load(try temp.write("forem.yaml", text)) } throws: { error in
            "\(error)".contains("listen 0.0.0.0 has no tls:") && "\(error)".contains("insecure: true")
        }
    }

    @Test("a gateway started with insecure: true logs it at warning", .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
    func insecureWarning() async throws {
        let temp = TemporaryFolder()
        try temp.keys("vdab-to-forem.key", "forem-to-vdab.key", "forem-payload.key")
        let config = try temp.write("forem.yaml", """
            agency: FOREM
            listen: 127.0.0.1:0
            store: forem.sqlite
            mappings: \(Project.mappings.path)
            payloadKeyFile: forem-payload.key
            delivery: { folder: incoming, vacancy: forem, trainee: forem }
            peers:
              VDAB: { url: "http://gateway.vdab.example:8401", receiveKeyFile: vdab-to-forem.key, sendKeyFile: forem-to-vdab.key,
                      receive: [trainee], send: [trainee], insecure: true }
            """)
        let gateway = GatewayProcess(config: config)
        try await gateway.start()
        defer { gateway.kill() }
        #expect(gateway.output.contains("warning") && gateway.output.contains("peers.VDAB.insecure: trainee records cross the network with VDAB in clear text"),
                "\(gateway.output)")
        // Refused, `gateway serve` says why and how, and does not start.
        let refused = try await Executable.run(["serve", "--config", try temp.write("forem.yaml", try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: ", insecure: true", with: ""))])
        #expect(refused.status == 2 && refused.err.contains("set peers.VDAB.insecure: true to allow it"), "\(refused.err)")
    }

    @Test("mistakes of transport and keys are named with the key and what to do", arguments: [
        ("peer", "receiveNextKeyFile: vdab-to-forem.key", "peers.VDAB.receiveNextKey: holds the same key as peers.VDAB.receiveKey"),
        ("peer", "sendNextKeyFile: vdab-to-forem.key", "holds the same key as peers.VDAB.receiveKey"),
        ("peer", "sendNextFrom: 2026-12-05T06:00:00Z", "peers.VDAB.sendNextFrom: names when sendNextKeyFile takes over, which is missing"),
        ("peer", "sendNextKeyFile: forem-to-vdab.next.key\nsendNextFrom: tomorrow", "peers.VDAB.sendNextFrom: expected an RFC 3339 instant"),
        ("pin", "certificate: { sha256: abc }", "peers.VDAB.certificate.sha256: expected the certificate's SHA-256 as 64 hex digits"),
        ("top", "admin: { listen: 0.0.0.0:9402 }", "admin.listen: 0.0.0.0 is reachable from other machines"),
        ("top", "admin: { listen: 0.0.0.0:8402 }", "admin.listen: is the exchange's address"),
        ("tls", "tls: { certificateFile: test-forem.pem, keyFile: test-forem.key, requireClientCertificate: true }",
         "tls.requireClientCertificate: needs tls.clientCAFile"),
        ("tls", "tls: { certificateFile: test-forem.pem, keyFile: test-forem.key }",
         "peers.VDAB.certificate: a client certificate is only presented over mutual TLS"),
        ("tls", "tls: { certificateFile: test-forem.pem, keyFile: missing.key }", "tls.keyFile:"),
        ("tls", "tls: { certificateFile: forem-payload.key, keyFile: test-forem.key }", "tls.certificateFile:"),
        ("nopin", "", "peers.VDAB.certificate: missing: with tls.requireClientCertificate every peer names the certificate it must present"),
    ])
    func faults(_ place: String, _ text: String, _ message: String) async throws {
        let temp = TemporaryFolder()
        var path: String
        switch place {
        case "peer": path = try Self.write(temp, peer: text)
        case "tls": path = try Self.write(temp, tls: text)
        case "pin":
            path = try Self.write(temp)
            path = try temp.write("forem.yaml", try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "certificate: { commonName: VDAB }", with: text))
        case "nopin":
            path = try Self.write(temp)
            path = try temp.write("forem.yaml", try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "    certificate: { commonName: VDAB }\n", with: ""))
        default: path = try Self.write(temp, top: text)
        }
        #expect { try GatewayConfiguration.load(path) } throws: { error in
            "\(error)".contains(message) && "\(error)".contains("forem.yaml:")
        }
    }

    @Test("the key in force for each direction, and when the next takes over")
    func keysInForce() async throws {
        let temp = TemporaryFolder()
        let c = try GatewayConfiguration.load(try Self.write(temp, peer: """
            receiveNextKeyFile: vdab-to-forem.next.key
            sendNextKeyFile: forem-to-vdab.next.key
            sendNextFrom: 2026-12-05T06:00:00Z
            """))
        let before = KeyStatus.all(c, at: TimestampPatternTestDate.make("2026-12-05T05:59:59Z"))
        #expect(before == [
            KeyStatus(direction: "VDAB → FOREM", setting: "peers.VDAB.receiveKey", inForce: .currentAndNext, nextFrom: nil, nextHeldReady: false),
            KeyStatus(direction: "FOREM → VDAB", setting: "peers.VDAB.sendKey", inForce: .current, nextFrom: "2026-12-05T06:00:00Z", nextHeldReady: false),
        ])
        let after = KeyStatus.all(c, at: TimestampPatternTestDate.make("2026-12-05T06:00:00Z"))
        #expect(after[1] == KeyStatus(direction: "FOREM → VDAB", setting: "peers.VDAB.sendNextKey", inForce: .next, nextFrom: nil, nextHeldReady: false))
        let keys = try #require(try c.sendingPeers()[.vdab]).keys
        #expect(keys.inForce(at: TimestampPatternTestDate.make("2026-12-05T05:59:59Z")) == .current)
        #expect(keys.inForce(at: TimestampPatternTestDate.make("2026-12-05T06:00:01Z")) == .next)
    }

    @Test("gateway keys check says which key is in force and when the next takes over; a next key with no instant is exit 1",
          .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
    func keysCheckCommand() async throws {
        let temp = TemporaryFolder()
        let path = try Self.write(temp, peer: "receiveNextKeyFile: vdab-to-forem.next.key\nsendNextKeyFile: forem-to-vdab.next.key\nsendNextFrom: 2026-12-05T06:00:00Z")
        let before = try await Executable.run(["keys", "check", "--config", path, "--at", "2026-12-05T05:00:00Z"])
        #expect(before.status == 0, "\(before.err)")
        let lines = before.out.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines.contains("VDAB → FOREM current and next - peers.VDAB.receiveKey"), "\(before.out)")
        #expect(lines.contains("FOREM → VDAB current 2026-12-05T06:00:00Z peers.VDAB.sendKey"), "\(before.out)")
        #expect(before.out.contains("payload key "))
        let after = try await Executable.run(["keys", "check", "--config", path, "--at", "2026-12-05T06:00:00Z", "--json"])
        #expect(after.status == 0 && after.out.contains("\"inForce\" : \"next\""), "\(after.out)")
        // A next key that nothing puts in force.
        let held = try await Executable.run(["keys", "check", "--config", try Self.write(temp, peer: "sendNextKeyFile: forem-to-vdab.next.key")])
        #expect(held.status == 1 && held.err.contains("a next key is configured without sendNextFrom"), "\(held.err)")
        let wrong = try await Executable.run(["keys", "check", "--config", path, "--at", "tomorrow"])
        #expect(wrong.status == 2 && wrong.err.contains("--at: expected an RFC 3339 instant"), "\(wrong.err)")
    }

    @Test("the payload key replaced: the old one retired, gateway keys reseal moves the payloads, then the old file can go",
          .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
    func resealCommand() async throws {
        let temp = TemporaryFolder()
        try temp.keys("forem-payload.next.key")
        let path = try Self.write(temp)
        let old = try PayloadKey(material: TemporaryFolder.keyBytes("forem-payload.key")), new = try PayloadKey(material: TemporaryFolder.keyBytes("forem-payload.next.key"))
        let ledger = try SQLiteStore(path: temp.path("forem.sqlite"), payloadKey: old)
        for i in 0..<3 { try await ledger.enqueue(batchId: "t\(i)", to: .vdab, recordType: .trainee, body: Array("{}".utf8), form: .json, now: Date()) }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        // The same key twice, or retired keys without the key that seals: refused.
        let twice = text.replacingOccurrences(of: "payloadKeyFile: forem-payload.key", with: "payloadKeyFile: forem-payload.key\npayloadRetiredKeyFiles: [forem-payload.key]")
        #expect { try GatewayConfiguration.load(try temp.write("twice.yaml", twice)) } throws: { "\($0)".contains("payloadRetiredKeyFiles[0]: holds the same key as payloadKeyFile") }
        let rotated = try temp.write("forem.yaml", text.replacingOccurrences(of: "payloadKeyFile: forem-payload.key",
                                                                             with: "payloadKeyFile: forem-payload.next.key\npayloadRetiredKeyFiles: [forem-payload.key]"))
        let c = try GatewayConfiguration.load(rotated)
        #expect(c.payloadKey?.id == new.id && c.payloadKey?.retired.map(\.id) == [old.id])
        let run = try await Executable.run(["keys", "reseal", "--config", rotated])
        #expect(run.status == 0 && run.out.contains("3 payloads sealed again under payload key \(new.idText)") && run.out.contains("payloadRetiredKeyFiles can now be removed"),
                "\(run.out)\n\(run.err)")
        let after = try SQLiteStore(path: temp.path("forem.sqlite"), payloadKey: new)
        for i in 0..<3 { #expect(try await after.body(ofSent: "t\(i)")?.bytes == Array("{}".utf8)) }
        // Without a payload key: said, exit 2.
        let none = try await Executable.run(["keys", "reseal", "--config", try temp.write("none.yaml", text.replacingOccurrences(of: "payloadKeyFile: forem-payload.key\n", with: "")
            .replacingOccurrences(of: "send: [vacancy, trainee]", with: "send: [vacancy]").replacingOccurrences(of: "receive: [vacancy, trainee]", with: "receive: [vacancy]"))])
        #expect(none.status == 2 && none.err.contains("names no payloadKeyFile"), "\(none.err)")
    }

    @Test("deploy/tls's two configurations load with certificates from deploy/local/make-certs.sh: mutual TLS, each peer pinned, admin on loopback")
    func deployTLS() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else {
            Issue.record("openssl is not installed (.ci/run installs it): make-certs.sh cannot run")
            return
        }
        let temp = TemporaryFolder()
        let tls = temp.path("deploy/tls"), secrets = temp.path("deploy/local/secrets")
        try FileManager.default.createDirectory(atPath: tls, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: secrets, withIntermediateDirectories: true)
        for name in ["forem.yaml", "vdab.yaml"] {
            try FileManager.default.copyItem(atPath: Project.root.appendingPathComponent("deploy/tls/\(name)").path, toPath: tls + "/" + name)
        }
        for name in ["forem-to-vdab.key", "vdab-to-forem.key", "forem-payload.key", "vdab-payload.key"] {
            let file = try temp.write("deploy/local/secrets/\(name)", TemporaryFolder.key(name))
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        }
        let made = try await ChildProgram.run("/bin/bash", [Project.root.appendingPathComponent("deploy/local/make-certs.sh").path, secrets + "/certs"])
        #expect(made.status == 0, "\(made.err)")
        for agency in ["forem", "vdab"] {
            let c = try GatewayConfiguration.load(tls + "/\(agency).yaml")
            let t = try #require(c.tls)
            #expect(t.requireClientCertificate && t.clientCAFile != nil)
            #expect(c.admin.host == "127.0.0.1" && c.insecure.isEmpty)
            #expect(c.peers.values.allSatisfy { $0.certificate != nil && $0.url?.hasPrefix("https://") == true })
            _ = try LiveCredentials(c)   // every certificate and key reads
        }
    }

    @Test("a reload puts keys in force at once and lists what waits for a restart: the payload key, the pseudonyms' key, the listener")
    func reloadReport() throws {
        let temp = TemporaryFolder()
        try temp.keys("forem-payload.next.key", "forem-pseudonyms.key")
        let running = try GatewayConfiguration.load(try Self.write(temp))
        let live = try LiveCredentials(running)
        let text = try String(contentsOfFile: temp.path("forem.yaml"), encoding: .utf8)
        let same = try live.apply(try GatewayConfiguration.load(temp.path("forem.yaml")), running: running, now: Date())
        #expect(same.needsRestart.isEmpty && same.keys.count == 2)
        let pseudonyms = try GatewayConfiguration.load(try temp.write("forem.yaml", text.replacingOccurrences(
            of: "payloadKeyFile: forem-payload.key", with: "payloadKeyFile: forem-payload.key\npseudonymKeyFile: forem-pseudonyms.key")))
        #expect(try live.apply(pseudonyms, running: running, now: Date()).needsRestart == ["pseudonymKeyFile"])
        let moved = try GatewayConfiguration.load(try temp.write("forem.yaml", text.replacingOccurrences(of: "payloadKeyFile: forem-payload.key", with: "payloadKeyFile: forem-payload.next.key")
            .replacingOccurrences(of: "listen: 0.0.0.0:8402", with: "listen: 0.0.0.0:8412")))
        #expect(try live.apply(moved, running: running, now: Date()).needsRestart == ["listen", "admin.listen", "payloadKeyFile", "pseudonymKeyFile"])   // admin.listen follows listen by default
    }
}

enum TimestampPatternTestDate {
    static func make(_ text: String) -> Date { Instant.parse(text)! }
}
