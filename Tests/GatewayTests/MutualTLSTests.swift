import AsyncHTTPClient
import ExchangeHTTP
import ExchangeProtocol
import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import NIOCore
import NIOSSL
import Testing

/// Le Forem's and VDAB's gateways as two `gateway serve` processes, each taking mutual TLS only on
/// its exchange listener, with certificates from a CA made for the test (`TestCertificates`):
/// VDAB pins Le Forem's certificate by its common name, Le Forem pins VDAB's by its SHA-256. Le
/// Forem sends vacancies and trainee records (a trainee referred by VDAB goes to VDAB); VDAB sends
/// vacancies back. Every key is a key of its own.
struct TLSPair {
    let temp = TemporaryFolder()
    let ca: TestCertificates
    let forem: GatewayProcess, vdab: GatewayProcess
    let foremCertificate: TestCertificates.Issued, vdabCertificate: TestCertificates.Issued

    init() throws {
        let ca = try TestCertificates(in: temp, name: "agencies"), caFile = ca.caFile
        self.ca = ca
        let foremCertificate = try ca.issue("FOREM"), vdabCertificate = try ca.issue("VDAB")
        (self.foremCertificate, self.vdabCertificate) = (foremCertificate, vdabCertificate)
        let foremPort = try LocalNetwork.freePort(), vdabPort = try LocalNetwork.freePort()
        try temp.keys("forem-to-vdab.key", "vdab-to-forem.key", "forem-payload.key", "vdab-payload.key")
        func tls(_ issued: TestCertificates.Issued) -> String {
            "tls: { certificateFile: \(issued.certificateFile), keyFile: \(issued.keyFile), clientCAFile: \(caFile), requireClientCertificate: true, caFile: \(caFile) }"
        }
        forem = GatewayProcess(config: try temp.write("forem.yaml", """
            agency: FOREM
            listen: 127.0.0.1:\(foremPort)
            \(tls(foremCertificate))
            admin: { listen: 127.0.0.1:0 }
            store: forem/ledger.sqlite
            mappings: \(Project.mappings.path)
            payloadKeyFile: forem-payload.key
            delivery: { folder: forem/incoming, vacancy: forem }
            pickup: { folder: forem/outgoing, every: 1s, vacancy: forem, trainee: forem }
            routes:
              - { type: vacancy, to: [VDAB] }
              - { type: trainee, to: referring }
            peers:
              VDAB:
                url: https://127.0.0.1:\(vdabPort)
                certificate: { sha256: \(vdabCertificate.sha256) }
                receiveKeyFile: vdab-to-forem.key
                sendKeyFile: forem-to-vdab.key
                receive: [vacancy]
                send: [vacancy, trainee]
                limits: { firstDelay: 0.2s, maxDelay: 1s, timeout: 5s }
            """))
        vdab = GatewayProcess(config: try temp.write("vdab.yaml", """
            agency: VDAB
            listen: 127.0.0.1:\(vdabPort)
            \(tls(vdabCertificate))
            admin: { listen: 127.0.0.1:0 }
            store: vdab/ledger.sqlite
            mappings: \(Project.mappings.path)
            payloadKeyFile: vdab-payload.key
            delivery: { folder: vdab/incoming, vacancy: vdab, trainee: vdab }
            pickup: { folder: vdab/outgoing, every: 1s, vacancy: vdab }
            routes:
              - { type: vacancy, to: [FOREM] }
            peers:
              FOREM:
                url: https://127.0.0.1:\(foremPort)
                certificate: { commonName: FOREM }
                receiveKeyFile: forem-to-vdab.key
                sendKeyFile: vdab-to-forem.key
                receive: [vacancy, trainee]
                send: [vacancy]
                limits: { firstDelay: 0.2s, maxDelay: 1s, timeout: 5s }
            """))
    }

    /// Puts a fixture in an agency's outgoing folder, as its back office would.
    func export(_ fixture: String, agency: String, type: String) throws {
        let folder = temp.path("\(agency)/outgoing/\(type)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let name = (fixture as NSString).lastPathComponent
        try FileManager.default.copyItem(atPath: Project.root.appendingPathComponent("fixtures/\(fixture)").path, toPath: folder + "/.\(name)")
        try FileManager.default.moveItem(atPath: folder + "/.\(name)", toPath: folder + "/\(name)")
    }

    func ledger(_ agency: String) throws -> SQLiteStore {
        try SQLiteStore(path: temp.path("\(agency)/ledger.sqlite"), payloadKey: try PayloadKey(material: TemporaryFolder.keyBytes("\(agency)-payload.key")))
    }

    /// What a client trusts and shows: this CA (or `trust`), and `certificate` if any.
    static func client(trust: String, certificate: TestCertificates.Issued?, maximumVersion: TLSVersion? = nil) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(trust)
        if let maximumVersion { configuration.maximumTLSVersion = maximumVersion }
        if let certificate {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate.certificateFile).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: certificate.keyFile, format: .pem))
        }
        return configuration
    }
}

@Suite("Transport: mutual TLS between two gateways", .bounded, .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
struct MutualTLSTests {
    @Test("two gateway serve processes exchange vacancies and trainee records over mutual TLS, both ways", .timeLimit(.minutes(3)))
    func exchange() async throws {
        let pair = try TLSPair()
        try await pair.vdab.start()
        try await pair.forem.start()
        defer { pair.forem.kill(); pair.vdab.kill() }
        #expect(pair.vdab.url.hasPrefix("https://127.0.0.1:") && pair.forem.url.hasPrefix("https://127.0.0.1:"))
        #expect(pair.vdab.adminURL.hasPrefix("http://127.0.0.1:"))
        try pair.export("forem/vacancies.xml", agency: "forem", type: "vacancy")
        try pair.export("forem/trainees.xml", agency: "forem", type: "trainee")
        try pair.export("vdab/vacancies.json", agency: "vdab", type: "vacancy")

        // Until VDAB holds Le Forem's vacancies and its trainee, Le Forem holds VDAB's vacancies,
        // and neither has anything left to send.
        let deadline = ContinuousClock.now + .seconds(60)
        var held: (vdab: [String: Int], forem: [String: Int]) = ([:], [:])
        var pending = -1
        while ContinuousClock.now < deadline {
            if FileManager.default.fileExists(atPath: pair.temp.path("vdab/ledger.sqlite")), FileManager.default.fileExists(atPath: pair.temp.path("forem/ledger.sqlite")) {
                let v = try pair.ledger("vdab"), f = try pair.ledger("forem")
                func types(_ store: SQLiteStore) async throws -> [String: Int] {
                    Dictionary(uniqueKeysWithValues: try await store.rows("SELECT record_type, COUNT(*) FROM record GROUP BY record_type", []).map { ($0[0]!, Int($0[1]!)!) })
                }
                held = (try await types(v), try await types(f))
                pending = try await TwoGateways.count(f, "SELECT COUNT(*) FROM batch WHERE direction = 'out' AND state <> 'delivered'")
                    + TwoGateways.count(v, "SELECT COUNT(*) FROM batch WHERE direction = 'out' AND state <> 'delivered'")
                if held.vdab["vacancy", default: 0] == 4, held.vdab["trainee", default: 0] == 1, held.forem["vacancy", default: 0] > 0, pending == 0 { break }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(held.vdab["vacancy"] == 4 && held.vdab["trainee"] == 1, "VDAB holds \(held.vdab)")
        #expect(held.forem["vacancy", default: 0] > 0, "Le Forem holds \(held.forem)")
        #expect(pending == 0, "batches not delivered: \(pending)\n\(pair.forem.output.suffix(2000))\n\(pair.vdab.output.suffix(2000))")
        // Delivered to the back offices in their own formats.
        let incoming = (try? FileManager.default.contentsOfDirectory(atPath: pair.temp.path("vdab/incoming"))) ?? []
        #expect(incoming.filter { !$0.hasPrefix(".") }.count == 2, "\(incoming)")
    }

    @Test("refused at the TLS layer without a client certificate, with another CA's, and at TLS 1.1; another agency's certificate is 403 before the body; a bad signature with the right one is 401",
          .timeLimit(.minutes(2)))
    func refusals() async throws {
        let pair = try TLSPair()
        try await pair.vdab.start()
        defer { pair.vdab.kill() }
        let rogue = try TestCertificates(in: pair.temp, name: "rogue")
        let rogueForem = try rogue.issue("FOREM")
        let body = try ReceivingFixture.batch()
        let foremKey = RequestSignature(key: TemporaryFolder.keyBytes("forem-to-vdab.key"))

        /// A batch POSTed as Le Forem, signed with `signer`, over `tls`.
        func post(_ tls: TLSConfiguration, signer: RequestSignature = foremKey, extra: [(String, String)] = [],
                  timeout: TimeAmount = .seconds(10)) async throws -> (status: Int, text: String) {
            var request = HTTPClientRequest(url: pair.vdab.url + "/exchange/v1/batches")
            request.method = .POST
            request.tlsConfiguration = tls
            for field in ReceivingFixture.headers(signer, as: "FOREM", body: body) { request.headers.add(name: field.name.rawName, value: field.value) }
            for (name, value) in extra { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
        }
        /// A handshake that does not complete: an error, no answer.
        /// (AsyncHTTPClient tries a failed handshake again until the call's deadline: 3 s here.)
        func refusedAtTLS(_ tls: TLSConfiguration, _ what: Comment, alert: String) async {
            do {
                let answer = try await post(tls, timeout: .seconds(3))
                Issue.record("\(what): answered \(answer.status) \(answer.text.prefix(200))")
            } catch {
                #expect("\(error)".contains(alert), "\(what): \(error)")
            }
        }
        let ca = pair.ca.caFile
        await refusedAtTLS(try TLSPair.client(trust: ca, certificate: nil), "no client certificate", alert: "TLSV1_ALERT_CERTIFICATE_REQUIRED")
        await refusedAtTLS(try TLSPair.client(trust: ca, certificate: rogueForem), "a certificate for CN=FOREM from another CA", alert: "TLSV1_ALERT_UNKNOWN_CA")
        await refusedAtTLS(try TLSPair.client(trust: ca, certificate: pair.foremCertificate, maximumVersion: .tlsv11), "TLS 1.1",
                           alert: "TLSV1_ALERT_PROTOCOL_VERSION")

        // VDAB's own certificate (the right CA) signing in as Le Forem, with Le Forem's key: 403,
        // also when the request carries the certificate headers the listener sets itself.
        let wrong = try await post(try TLSPair.client(trust: ca, certificate: pair.vdabCertificate),
                                   extra: [(ClientCertificate.commonNameHeader, "FOREM"), (ClientCertificate.sha256Header, pair.foremCertificate.sha256)])
        #expect(wrong.status == 403 && wrong.text.contains("not the one agreed for FOREM"), "\(wrong)")
        // Le Forem's certificate, but not Le Forem's key: the signature is still checked.
        let unsigned = try await post(try TLSPair.client(trust: ca, certificate: pair.foremCertificate), signer: RequestSignature(key: Array("another key, 32 bytes long......".utf8)))
        #expect(unsigned.status == 401, "\(unsigned)")
        // Both: taken.
        let right = try await post(try TLSPair.client(trust: ca, certificate: pair.foremCertificate))
        #expect(right.status == 200, "\(right)")

        // The 403 comes before the body: a request that announces 16 MB and sends 1 KiB is
        // answered at once, not when its body would have come.
        var slow = HTTPClientRequest(url: pair.vdab.url + "/exchange/v1/batches")
        slow.method = .POST
        slow.tlsConfiguration = try TLSPair.client(trust: ca, certificate: pair.vdabCertificate)
        for field in ReceivingFixture.headers(foremKey, as: "FOREM", body: body) { slow.headers.add(name: field.name.rawName, value: field.value) }
        let (chunks, feed) = AsyncStream<ByteBuffer>.makeStream()
        feed.yield(ByteBuffer(repeating: UInt8(ascii: " "), count: 1024))
        slow.body = .stream(chunks, length: .known(Int64(16_000_000)))
        let started = ContinuousClock.now
        let early = try await HTTPClient.shared.execute(slow, timeout: .seconds(10))
        let waited = ContinuousClock.now - started
        feed.finish()
        #expect(early.status.code == 403 && waited < .seconds(3), "\(early.status) after \(waited)")

        // Nothing of the refused requests was stored: the one batch taken is the only one.
        #expect(try await TwoGateways.count(try pair.ledger("vdab"), "SELECT COUNT(*) FROM batch WHERE direction = 'in'") == 1)
        // The admin API is not on the exchange's listener, and the exchange is not on the admin's.
        let admin = try await HTTPClient.shared.execute({
            var r = HTTPClientRequest(url: pair.vdab.url + "/admin/v1/batches")
            r.tlsConfiguration = try TLSPair.client(trust: ca, certificate: pair.foremCertificate)
            return r
        }(), timeout: .seconds(10))
        #expect(admin.status == .notFound)
        let exchange = try await HTTPClient.shared.execute(HTTPClientRequest(url: pair.vdab.adminURL + "/exchange/v1/health"), timeout: .seconds(10))
        #expect(exchange.status == .notFound)
    }
}
