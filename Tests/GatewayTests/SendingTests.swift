import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Ledger
import LedgerTestSupport
import Model
import Testing

@Suite("Sending: Le Forem's outbox to VDAB's gateway on loopback", .bounded)
struct SendingTests {
    /// A loopback port nobody listens on: a stopped peer.
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        close(fd)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test("batches wait while the peer is down and are delivered with back-off once it is up; a 400 fails without retry")
    func pileUpThenDeliver() async throws {
        let temp = TemporaryFolder()
        let outbox = try SQLiteStore(path: temp.path("forem.sqlite"))
        let ids = (1...3).map { String(format: "00000000-0000-4000-8000-%012d", $0) }
        for id in ids {
            try await outbox.enqueue(batchId: id, to: .vdab, recordType: .vacancy, body: try ReceivingFixture.batch(batchId: id), form: .json)
        }
        try await outbox.enqueue(batchId: "not-a-batch", to: .vdab, recordType: .vacancy, body: Array("{\"profile\":".utf8), form: .json)

        let f = ReceivingFixture()
        let key = f.forem
        defer { withExtendedLifetime(f) {} }
        let policy = RetryPolicy(firstDelay: 1, maximumDelay: 60, maximumAttempts: 5, maximumAge: 3600)
        let metrics = GatewayMetrics()
        let down = Dispatcher(agency: .forem, store: outbox, client: PeerClient(timeout: .seconds(2)), policy: policy,
                              peers: [.vdab: .init(url: "http://127.0.0.1:\(try Self.closedPort())", signer: key)], observer: metrics)
        let t0 = Date()
        #expect(try await down.tick(now: t0) == 4)
        for id in ids + ["not-a-batch"] {
            let state = try await outbox.outgoingState(id)
            #expect(state?.state == .queued && state?.attempts == 1, "\(id): \(String(describing: state))")
        }
        #expect(try await down.tick(now: t0) == 0)   // nothing is due before its back-off

        try await f.application().test(.live) { client in
            let up = Dispatcher(agency: .forem, store: outbox, client: PeerClient(timeout: .seconds(5)), policy: policy,
                                peers: [.vdab: .init(url: "http://127.0.0.1:\(client.port!)", signer: key)], observer: metrics)
            let later = t0.addingTimeInterval(5)
            #expect(try await up.tick(now: later) == 4)
            for id in ids {
                let state = try await outbox.outgoingState(id)
                #expect(state?.state == .delivered && state?.attempts == 2, "\(id): \(String(describing: state))")
            }
            let bad = try await outbox.outgoingState("not-a-batch")
            #expect(bad?.state == .failed)
            #expect(bad?.attempts == 2)
            #expect(bad?.lastAnswer?.hasPrefix("400 ") == true)
            // Nothing is retried any more.
            #expect(try await up.tick(now: later.addingTimeInterval(3600)) == 0)
            let text = metrics.exposition()
            #expect(text.contains(#"gateway_send_retries_total{peer="VDAB"} 4"#), "\(text)")
            #expect(text.contains(#"gateway_batches_sent_total{peer="VDAB",type="vacancy",result="delivered"} 3"#))
            #expect(text.contains(#"gateway_batches_sent_total{peer="VDAB",type="vacancy",result="failed"} 1"#))
            #expect(text.contains("gateway_outbox_queued 0"))
        }
    }
}
