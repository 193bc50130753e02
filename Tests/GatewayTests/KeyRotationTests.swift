import AsyncHTTPClient
import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import NIOCore
import Synchronization
import Testing

/// The key Le Forem signs its batches to VDAB with, changed while Le Forem streams batches: VDAB
/// adds the next key (admin API), Le Forem names the instant it signs with it from (`SIGHUP`),
/// and once that has passed both drop the old key — each side reading its file again, neither
/// restarted.
@Suite("Keys that rotate without downtime", .bounded, .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
struct KeyRotationTests {
    @Test("a sender streaming batches while both sides switch to the next key: no batch refused, none twice; then the old key is refused",
          .timeLimit(.minutes(4)))
    func rotateUnderTraffic() async throws {
        let pair = try TwoGateways(batchRecords: 10)
        try pair.temp.keys("forem-to-vdab.next.key")
        let admin = OperatorTokens.make(name: "ops", role: .operator)
        let tokens = try pair.temp.write("operators.tokens", "# name role sha256\n\(admin.line)\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokens)
        let vdabFile = pair.temp.path("vdab.yaml"), foremFile = pair.temp.path("forem.yaml")
        func edit(_ file: String, _ from: String, _ to: String) throws {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(text.contains(from), "\(file) has no \(from)")
            try text.replacingOccurrences(of: from, with: to).write(toFile: file, atomically: true, encoding: .utf8)
        }
        try String(contentsOfFile: vdabFile, encoding: .utf8).appending("\noperators: { tokensFile: operators.tokens }\n")
            .write(toFile: vdabFile, atomically: true, encoding: .utf8)
        try await pair.vdab.start()
        try await pair.forem.start()
        defer { pair.forem.kill(); pair.vdab.kill() }

        // Le Forem's back office exports 20 vacancies every 250 ms (two batches each) until told.
        let streaming = StreamFlag()
        let outgoing = pair.temp.path("forem/outgoing/vacancy")
        let exporter = Task {
            var first = 0
            while streaming.on {
                try TwoGateways.export(20, first: first, into: outgoing)
                first += 20
                try await Task.sleep(for: .milliseconds(250))
            }
            return first
        }
        func reloadVDAB() async throws {
            var request = HTTPClientRequest(url: pair.vdab.adminURL + "/admin/v1/reload")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(admin.token)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(response.status.code == 200, "\(text)")
        }
        /// SIGHUP to Le Forem, then waits until it has read its file again.
        func reloadForem() async throws {
            let marker = "keys, certificates and tokens read again"
            let before = pair.forem.output.components(separatedBy: marker).count
            kill(pair.forem.pid, SIGHUP)
            try await Wait.until("Le Forem read its configuration again", timeout: .seconds(10)) {
                pair.forem.output.components(separatedBy: marker).count > before
            }
        }
        /// Waits until VDAB has taken in at least `more` records beyond what it held.
        func traffic(_ more: Int) async throws {
            let start = try await pair.receivedRecords()
            try await Wait.until("VDAB took \(more) more records", timeout: .seconds(30)) { (try? await pair.receivedRecords()) ?? 0 >= start + more }
        }

        try await traffic(40)
        // 1. The receiver accepts the next key as well.
        try edit(vdabFile, "receiveKeyFile: forem-to-vdab.key", "receiveKeyFile: forem-to-vdab.key, receiveNextKeyFile: forem-to-vdab.next.key")
        try await reloadVDAB()
        try await traffic(40)
        // 2. The sender signs with it from an instant two seconds ahead.
        let instant = Date().addingTimeInterval(2)
        try edit(foremFile, "sendKeyFile: forem-to-vdab.key", "sendKeyFile: forem-to-vdab.key\n    sendNextKeyFile: forem-to-vdab.next.key\n    sendNextFrom: \(Instant.text(instant))")
        try await reloadForem()
        try await Wait.until("the instant passed", timeout: .seconds(10)) { Date() > instant.addingTimeInterval(0.5) }
        try await traffic(60)
        // 3. Both drop the old key: the sender first, so nothing signed with it is still under way.
        try edit(foremFile, "sendKeyFile: forem-to-vdab.key\n    sendNextKeyFile: forem-to-vdab.next.key\n    sendNextFrom: \(Instant.text(instant))",
                 "sendKeyFile: forem-to-vdab.next.key")
        try await reloadForem()
        try await traffic(20)
        try edit(vdabFile, "receiveKeyFile: forem-to-vdab.key, receiveNextKeyFile: forem-to-vdab.next.key", "receiveKeyFile: forem-to-vdab.next.key")
        try await reloadVDAB()
        try await traffic(40)
        streaming.stop()
        let exported = try await exporter.value

        #expect(try await pair.waitUntilDone(exported, timeout: .seconds(60)), "not all \(exported) records delivered\n\(pair.forem.output.suffix(3000))")
        try await pair.ledgersAgree(exported)
        // No batch refused: each was sent once, and taken the first time.
        let f = try pair.ledger("forem")
        let batches = try await TwoGateways.count(f, "SELECT COUNT(*) FROM batch WHERE direction = 'out'")
        let attempts = try await f.rows("SELECT outcome, COUNT(*) FROM attempt GROUP BY outcome", []).map { "\($0[0]!): \($0[1]!)" }
        #expect(try await TwoGateways.count(f, "SELECT COUNT(*) FROM attempt") == batches, "\(batches) batches, attempts \(attempts)")
        #expect(batches >= 2 * 10, "only \(batches) batches")
        // None twice: every record once in VDAB's back office.
        let delivered = try pair.delivered()
        #expect(delivered.count == exported && Set(delivered).count == exported)
        // VDAB's audit holds both reloads.
        let audit = try await pair.ledger("vdab").rows("SELECT action FROM audit", []).map { $0[0]! }
        #expect(audit.filter { $0 == "reload" }.count == 2)

        // Then the old key is refused, the new one taken.
        let body = try ReceivingFixture.batch()
        func post(_ key: String) async throws -> Int {
            var request = HTTPClientRequest(url: pair.vdab.url + "/exchange/v1/batches")
            request.method = .POST
            for field in ReceivingFixture.headers(RequestSignature(key: TemporaryFolder.keyBytes(key)), as: "FOREM", body: body) {
                request.headers.add(name: field.name.rawName, value: field.value)
            }
            request.body = .bytes(ByteBuffer(bytes: body))
            return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code)
        }
        #expect(try await post("forem-to-vdab.key") == 401)
        #expect(try await post("forem-to-vdab.next.key") == 200)
        print("key rotation: \(batches) batches of \(exported) records, \(attempts.joined(separator: ", ")) attempts, none refused, none twice; the old key then 401")
    }

    @Test("a renewed certificate and a new operator's token are in force after a reload, for new connections; a reload that cannot read a file changes nothing",
          .timeLimit(.minutes(2)))
    func certificateAndTokens() async throws {
        let served = try await ServedGateway(operators: [(name: "ops", role: .operator, grants: [])], tls: true)
        defer { served.gateway.kill() }
        let issued = try #require(served.certificates)
        let ops = try #require(served.tokens["ops"])
        /// A health check on a connection of its own, trusting `ca`, showing Le Forem's certificate.
        func health(trusting ca: String) async throws -> Int {
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            defer { _ = client.shutdown() }
            var request = HTTPClientRequest(url: served.url + "/exchange/v1/health")
            request.tlsConfiguration = try TLSPair.client(trust: ca, certificate: issued.forem)
            return Int(try await client.execute(request, timeout: .seconds(5)).status.code)
        }
        #expect(try await health(trusting: issued.ca.caFile) == 200)

        // VDAB's certificate renewed (from another CA here, so that a client can tell which is
        // served), and a new operator added to the tokens file.
        let renewedCA = try TestCertificates(in: served.temp, name: "renewed")
        let renewed = try renewedCA.issue("VDAB")
        func replace(_ file: String, with source: String) throws {
            try FileManager.default.removeItem(atPath: file)
            try FileManager.default.copyItem(atPath: source, toPath: file)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        }
        try replace(issued.vdab.certificateFile, with: renewed.certificateFile)
        try replace(issued.vdab.keyFile, with: renewed.keyFile)
        let alice = OperatorTokens.make(name: "alice", role: .read)
        let tokensFile = served.temp.path("operators.tokens")
        let handle = try #require(FileHandle(forWritingAtPath: tokensFile))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((alice.line + "\n").utf8))
        try handle.close()
        #expect(try await served.call("GET", "/admin/v1/batches", token: alice.token).status == 401)

        let reload = try await served.call("POST", "/admin/v1/reload", token: ops)
        #expect(reload.status == 200 && (reload.text.contains("\"operators\" : 2") || reload.text.contains("\"operators\":2")), "\(reload.text)")
        #expect(try await served.call("GET", "/admin/v1/batches", token: alice.token).status == 200)
        #expect(try await health(trusting: renewedCA.caFile) == 200)
        await #expect(throws: (any Error).self) { _ = try await health(trusting: issued.ca.caFile) }

        // A certificate file that does not read: 422, and what is in force stays.
        try "not a certificate\n".write(toFile: issued.vdab.certificateFile, atomically: false, encoding: .utf8)
        let refused = try await served.call("POST", "/admin/v1/reload", token: ops)
        #expect(refused.status == 422 && refused.text.contains("nothing changed"), "\(refused.text)")
        #expect(try await health(trusting: renewedCA.caFile) == 200)
        #expect(try await served.call("GET", "/admin/v1/batches", token: alice.token).status == 200)
    }
}

/// A flag one task sets and another reads.
final class StreamFlag: Sendable {
    private let state = Mutex(true)
    var on: Bool { state.withLock { $0 } }
    func stop() { state.withLock { $0 = false } }
}

extension TwoGateways {
    /// The records VDAB has taken in so far.
    func receivedRecords() async throws -> Int {
        guard FileManager.default.fileExists(atPath: temp.path("vdab/ledger.sqlite")) else { return 0 }
        return try await Self.count(try ledger("vdab"), "SELECT COUNT(*) FROM received_record")
    }
}
