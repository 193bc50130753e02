import ExchangeHTTP
import ExchangeProtocol
import Foundation
import Gateway
import LedgerTestSupport
import Model
import Testing

@Suite("A gateway's configuration: peers' limits and encodings, back office, keys from the environment", .bounded)
struct ConfigurationTests {
    static func write(_ temp: TemporaryFolder, peer: String = "", delivery: String = "  folder: incoming", top: String = "") throws -> String {
        try temp.keys("vdab-to-forem.key", "forem-to-vdab.key")
        return try temp.write("forem.yaml", """
            agency: FOREM
            listen: 127.0.0.1:0
            store: forem.sqlite
            delivery:
            \(delivery)
              vacancy: forem
            peers:
              VDAB:
                url: http://127.0.0.1:8401
                receiveKeyFile: vdab-to-forem.key
                sendKeyFile: forem-to-vdab.key
                receive: [vacancy]
                send: [vacancy]
            \(peer.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            \(top)
            """)
    }

    @Test("limits, timeout and encoding per peer; a URL back office; the receiving capacity")
    func parsed() throws {
        let temp = TemporaryFolder()
        let c = try GatewayConfiguration.load(try Self.write(temp, peer: "encoding: xml\nlimits: { attempts: 5, maxAge: 2h, firstDelay: 1s, maxDelay: 5m, timeout: 10s }",
                                                             delivery: "  url: http://127.0.0.1:9000/intake",
                                                             top: "receiving: { capacity: 4, perPeer: 3, connections: 50, headerTimeout: 5s, minimumRate: 1000, grace: 3s, idleTimeout: 1m }"))
        let vdab = try #require(c.peers[.vdab])
        #expect(vdab.encoding == .xml)
        #expect(vdab.retry == RetryPolicy(firstDelay: 1, maximumDelay: 300, maximumAttempts: 5, maximumAge: 7200))
        #expect(vdab.timeout == .seconds(10))
        #expect(c.backOffice == .endpoint("http://127.0.0.1:9000/intake"))
        #expect(c.receivingCapacity == 4)
        #expect(c.receivingPerPeer == 3)
        var limits = ConnectionLimits()
        (limits.maximumConnections, limits.headerTimeout, limits.minimumRate, limits.grace, limits.idleTimeout) = (50, .seconds(5), 1000, .seconds(3), .seconds(60))
        limits.reservedConnections = 12 // a quarter of the listener where it is less than 64 and not said
        #expect(c.connectionLimits == limits)
    }

    @Test("a peer's source networks; the connection shares of strangers and peers, the reserve and the handshake deadline")
    func connectionShares() throws {
        let temp = TemporaryFolder()
        let c = try GatewayConfiguration.load(try Self.write(temp, peer: "from: [192.0.2.0/24, \"2001:db8::/48\", 198.51.100.7]",
                                                             top: "receiving: { connections: 500, connectionsPerAddress: 8, connectionsPerPeer: 100, reservedConnections: 200, handshakeTimeout: 3s }"))
        #expect(c.peers[.vdab]?.networks.map(\.description) == ["192.0.2.0/24", "2001:db8::/48", "198.51.100.7/32"])
        #expect(c.receivingPeers[.vdab]?.networks.count == 3)
        var limits = ConnectionLimits()
        (limits.maximumConnections, limits.connectionsPerAddress, limits.connectionsPerPeer, limits.reservedConnections, limits.handshakeTimeout) = (500, 8, 100, 200, .seconds(3))
        #expect(c.connectionLimits == limits)
        #expect(try GatewayConfiguration.load(try Self.write(temp)).connectionLimits == ConnectionLimits(), "256 connections, 32 an address, 64 a peer, 64 kept for peers")
    }

    @Test("retention by default: payloads nothing needs 90 days, finished batches two years, audit entries a year; each set apart; rows never shorter than bodies")
    func retentionDefaults() throws {
        let temp = TemporaryFolder()
        let plain = try GatewayConfiguration.load(try Self.write(temp))
        #expect(plain.payloadDays == 90 && plain.batchDays == 730 && plain.auditDays == 365)
        let set = try GatewayConfiguration.load(try Self.write(temp, top: "retention: { auditDays: 30, batchDays: 400 }"))
        #expect(set.auditDays == 30 && set.batchDays == 400 && set.payloadDays == 90)
        #expect(throws: (any Error).self) { try GatewayConfiguration.load(try Self.write(temp, top: "retention: { payloadDays: 800 }")) }
    }

    @Test("operator tokens from a file of hashes; a scheduled reconcile whose findings go to the metrics")
    func operatorsAndReconcile() throws {
        let temp = TemporaryFolder()
        let made = OperatorTokens.make(name: "alice", role: .operator)
        let tokens = try temp.write("operators.tokens", "# name role sha256\n\(made.line)\n")
        // Readable by others, the file stops the start; owner-only, it is read.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: tokens)
        #expect { try GatewayConfiguration.load(try Self.write(temp, top: "operators: { tokensFile: operators.tokens }")) } throws: { error in
            "\(error)".contains("operators.tokensFile") && "\(error)".contains("is readable by others (mode 644): chmod 600 it")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokens)
        let c = try GatewayConfiguration.load(try Self.write(temp, top: "operators: { tokensFile: operators.tokens }\nreconcile: { every: 1h, window: 2d }"))
        #expect(c.operators.check(made.token) == .init(name: "alice", role: .operator))
        #expect(c.operators.check("someone else's") == nil)
        #expect(!String(decoding: try LocalFiles.bytes(temp.path("operators.tokens")), as: UTF8.self).contains(made.token))   // stored hashed
        #expect(c.reconcile?.every == 3600 && c.reconcile?.window == 172_800)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: try temp.write("bad.tokens", "alice admin 1234\n"))
        #expect { try GatewayConfiguration.load(try Self.write(temp, top: "operators: { tokensFile: bad.tokens }")) } throws: { error in
            "\(error)".contains("bad.tokens:1") && "\(error)".contains("role stats, read or operator")
        }
        let metrics = GatewayMetrics()
        var report = Reconciliation.Report(peer: "VDAB", since: "", until: "")
        report.missingAtPeer = ["a", "b"]
        metrics.reconciled(with: .vdab, report)
        #expect(metrics.exposition().contains(#"gateway_reconcile_batches{peer="VDAB",finding="missing_at_peer"} 2"#))
    }

    @Test("an unknown setting names its near miss: did you mean")
    func didYouMean() throws {
        let temp = TemporaryFolder()
        #expect { try GatewayConfiguration.load(try Self.write(temp, peer: "recieveNextKeyFile: vdab-to-forem.key")) } throws: {
            "\($0)".contains("peers.VDAB.recieveNextKeyFile: unknown setting — did you mean receiveNextKeyFile? (allowed: ")
        }
        #expect { try GatewayConfiguration.load(try Self.write(temp, top: "pikcup: { folder: out }")) } throws: {
            "\($0)".contains("pikcup: unknown setting — did you mean pickup?")
        }
        #expect { try GatewayConfiguration.load(try Self.write(temp, top: "colour: blue")) } throws: {
            "\($0)".contains("colour: unknown setting (allowed: ")
        }
    }

    @Test("a key from the environment instead of a file")
    func keyFromEnvironment() throws {
        let temp = TemporaryFolder()
        setenv("GATEWAY_TEST_KEY_VDAB_TO_FOREM", "an-environment-key-0123456789abcdef", 1)
        defer { unsetenv("GATEWAY_TEST_KEY_VDAB_TO_FOREM") }
        let text = try String(contentsOfFile: try Self.write(temp), encoding: .utf8)
            .replacingOccurrences(of: "receiveKeyFile: vdab-to-forem.key", with: "receiveKeyEnv: GATEWAY_TEST_KEY_VDAB_TO_FOREM")
        let c = try GatewayConfiguration.load(try temp.write("forem.yaml", text))
        #expect(c.peers[.vdab]?.receiveKey == Array("an-environment-key-0123456789abcdef".utf8))
    }

    @Test("a wrong setting names the file, the line and the key", arguments: [
        ("peer", "encoding: yaml", "peers.VDAB.encoding: expected json or xml"),
        ("peer", "limits: { attempts: 0 }", "peers.VDAB.limits.attempts: expected a whole number above 0"),
        ("peer", "limits: { maxAge: soon }", "peers.VDAB.limits.maxAge: expected a duration"),
        ("peer", "limits: { firstDelay: 10m, maxDelay: 1m }", "peers.VDAB.limits.firstDelay: is longer than maxDelay"),
        ("peer", "receiveKeyEnv: GATEWAY_TEST_UNSET_VARIABLE", "give receiveKeyFile or receiveKeyEnv, not both"),
        ("delivery", "  folder: incoming\n  url: http://x", "delivery: give folder or url, not both"),
        ("delivery", "  url: ftp://x", "delivery.url: expected an http(s) URL"),
        ("delivery", "  url: http://127.0.0.1:84022/in", "delivery.url: http://127.0.0.1:84022/in: port 84022 is out of range (1–65535)"),
        ("delivery", "  folder: forem.yaml/incoming", "cannot be made"),
        ("delivery", "  folder: forem.yaml", "is a file, not a folder"),
        ("top", "receiving: { capacity: many }", "receiving.capacity: expected a whole number above 0"),
        ("top", "receiving: { capacity: 4, perPeer: 5 }", "receiving.perPeer: is more than receiving.capacity (4)"),
        ("top", "receiving: { grace: soon }", "receiving.grace: expected a duration"),
        ("top", "receiving: { connections: 100, reservedConnections: 100 }", "receiving.reservedConnections: is 100, not less than receiving.connections (100)"),
        ("top", "retention: { }", "retention: give payloadDays, batchDays, auditDays or some of them"),
        ("top", "retention: { auditDays: 0 }", "retention.auditDays: expected a whole number above 0"),
        ("top", "receiving: { connectionsPerAddress: 0 }", "receiving.connectionsPerAddress: expected a whole number above 0"),
        ("peer", "from: [10.1.2.3/8]", "peers.VDAB.from: 10.1.2.3/8: bits are set past the /8 prefix (did you mean 10.0.0.0/8?)"),
        ("peer", "from: [gateway.vdab.be]", "peers.VDAB.from: gateway.vdab.be: not an IPv4 or IPv6 address"),
        ("peer", "from: []", "peers.VDAB.from: expected a list of networks"),
        ("peer", "from: 10.0.0.0/8", "peers.VDAB.from: expected a list of networks"),
        ("top", "pickup: { folder: out, vacancy: forem }", "pickup.every: missing"),
        ("top", "pickup: { folder: out, every: 5m }", "pickup: name the agency's format"),
        ("top", "pickup: { folder: out, at: [\"25:00\"], vacancy: forem }", "pickup.at: expected a time of day as HH:MM"),
    ])
    func faults(_ place: String, _ text: String, _ message: String) throws {
        let temp = TemporaryFolder()
        let path: String
        switch place {
        case "peer": path = try Self.write(temp, peer: text)
        case "delivery": path = try Self.write(temp, delivery: text)
        default: path = try Self.write(temp, top: text)
        }
        #expect { try GatewayConfiguration.load(path) } throws: { error in
            "\(error)".contains(message) && "\(error)".contains("forem.yaml:")
        }
    }

    @Test("deploy/local's five configurations load (with keys made as make-keys.sh makes them) and encode the agreed matrix")
    func deployLocal() throws {
        let temp = TemporaryFolder()
        let configurations = try Demo(project: Project.root, folder: temp.path("d")) { _ in }.configurations()
        var agreed: Set<String> = []
        for c in configurations {
            for (peer, settings) in c.peers {
                for type in settings.sends {
                    agreed.insert("\(c.agency.rawValue)→\(peer.rawValue) \(type.rawValue)")
                    #expect(configurations.first { $0.agency == peer }?.peers[c.agency]?.receives.contains(type) == true,
                            "\(c.agency) sends \(type) to \(peer), which does not take it")
                }
            }
        }
        #expect(agreed == [
            "VDAB→FOREM vacancy", "FOREM→VDAB vacancy", "VDAB→ACTIRIS vacancy", "ACTIRIS→VDAB vacancy", "FOREM→ACTIRIS vacancy",
            "ACTIRIS→FOREM vacancy", "FOREM→ADG vacancy", "ADG→FOREM vacancy",
            "VDAB→FOREM trainee", "FOREM→VDAB trainee", "FOREM→ACTIRIS trainee", "ACTIRIS→FOREM trainee", "FOREM→ADG trainee",
            "ADG→FOREM trainee", "FOREM→BF trainee", "BF→FOREM trainee", "BF→ACTIRIS trainee",
        ])
    }
}
