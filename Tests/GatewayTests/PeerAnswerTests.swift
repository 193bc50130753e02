import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import LedgerTestSupport
import Model
import NIOCore
import Synchronization
import Testing

/// A peer that does not answer with its receipt: the sender takes a 200 as the batch's receipt only
/// when it names the batch, the body sent and its record count, and follows no redirect
/// (`exchange-protocol.md`, Sending; Clarifications 3).
@Suite("A peer that answers something else than the batch's receipt", .bounded)
struct PeerAnswerTests {
    enum Misbehaviour: String, CaseIterable, Sendable {
        case receiptOfAnotherBatch, receiptOfAnotherBody, receiptOfAnotherCount, notJSON, notAReceipt, temporaryRedirect, permanentRedirect
    }

    /// A peer on loopback: its first `misbehaving` POSTs get `misbehaviour`, the next ones a true
    /// receipt (made from the request: its batch id, body digest and record count). A request to
    /// `/elsewhere/…`, where its redirects point, is counted and refused.
    final class Peer: Sendable {
        let misbehaviour: Misbehaviour
        let misbehaving: Int
        let posts = Mutex(0)
        let elsewhere = Mutex(0)

        init(_ misbehaviour: Misbehaviour, misbehaving: Int) {
            self.misbehaviour = misbehaviour
            self.misbehaving = misbehaving
        }

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("/elsewhere/exchange/v1/batches") { [self] _, _ in
                elsewhere.withLock { $0 += 1 }
                return Response(status: .notFound)
            }
            router.post("/exchange/v1/batches") { [self] request, _ in
                let body = [UInt8](buffer: try await request.body.collect(upTo: 16 << 20))
                let n = posts.withLock { $0 += 1; return $0 }
                let envelope = try JSONSerialization.jsonObject(with: Data(body)) as! [String: Any]
                var receipt = Receipt(batchId: envelope["batchId"] as! String, receiptId: UUID().uuidString.lowercased(), receivedAt: "2026-11-20T06:00:01Z",
                                      bodySha256: sha256Hex(body),
                                      counts: .init(records: (envelope["records"] as! [Any]).count, accepted: (envelope["records"] as! [Any]).count, duplicates: 0, rejected: 0),
                                      rejected: [])
                if n <= misbehaving {
                    switch misbehaviour {
                    case .receiptOfAnotherBatch: receipt.batchId = "5d2c8e71-9b3f-4c0a-8e6d-2a7b1c9f4e10"
                    case .receiptOfAnotherBody: receipt.bodySha256 = String(repeating: "0", count: 64)
                    case .receiptOfAnotherCount: receipt.counts.records += 1
                    case .notJSON: return Response(status: .ok, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: "<html>ok</html>")))
                    case .notAReceipt: return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
                    case .temporaryRedirect, .permanentRedirect:
                        return Response(status: misbehaviour == .temporaryRedirect ? .temporaryRedirect : .movedPermanently,
                                        headers: [.location: "http://\(request.head.authority ?? "")/elsewhere/exchange/v1/batches"])
                    }
                }
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try WireJSON.encode(receipt))))
            }
            return router
        }
    }

    /// Le Forem's outbox with one batch for VDAB, queued as a pick-up queues it (with its record count).
    static func outbox(_ temp: TemporaryFolder) async throws -> (SQLiteStore, String) {
        let store = try SQLiteStore(path: temp.path("forem.sqlite"))
        let id = "0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77"
        let body = try ReceivingFixture.batch(batchId: id)
        try await store.commitPickup(PickupEntry(source: "vacancy/test.xml", sha256: sha256Hex(body), recordType: .vacancy, outcome: .done),
                                     batches: [QueuedBatch(batchId: id, peer: .vdab, recordType: .vacancy, body: body, form: .json, recordCount: 4)], routed: [])
        return (store, id)
    }

    @Test("the batch is not delivered while the peer misbehaves, and is once it behaves; no redirect is followed", arguments: Misbehaviour.allCases)
    func deliveredOnlyOnItsReceipt(_ misbehaviour: Misbehaviour) async throws {
        let temp = TemporaryFolder()
        let (outbox, id) = try await Self.outbox(temp)
        let peer = Peer(misbehaviour, misbehaving: 2)
        let policy = RetryPolicy(firstDelay: 1, maximumDelay: 60, maximumAttempts: 5, maximumAge: 3600)
        try await Application(router: peer.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let dispatcher = Dispatcher(agency: .forem, store: outbox, client: PeerClient(timeout: .seconds(5)), policy: policy,
                                        peers: [.vdab: .init(url: "http://127.0.0.1:\(client.port!)", signer: RequestSignature(key: Array("k".utf8)))])
            let t0 = Date()
            for attempt in 1...2 {
                #expect(try await dispatcher.tick(now: t0.addingTimeInterval(Double(attempt - 1) * 100)) == 1)
                let state = try #require(try await outbox.outgoingState(id))
                #expect(state.state == .queued && state.attempts == attempt, "\(state)")
                switch misbehaviour {
                case .receiptOfAnotherBatch: #expect(state.lastAnswer?.contains("the peer answered a receipt of another batch") == true, "\(state)")
                case .receiptOfAnotherBody: #expect(state.lastAnswer?.contains("a receipt of another body") == true, "\(state)")
                case .receiptOfAnotherCount: #expect(state.lastAnswer?.contains("a receipt of another record count (5, not 4)") == true, "\(state)")
                case .notJSON, .notAReceipt: #expect(state.lastAnswer?.contains("200 without a receipt") == true, "\(state)")
                case .temporaryRedirect: #expect(state.lastAnswer?.hasPrefix("307 a redirect to http://127.0.0.1") == true, "\(state)")
                case .permanentRedirect: #expect(state.lastAnswer?.hasPrefix("301 a redirect to http://127.0.0.1") == true, "\(state)")
                }
            }
            #expect(try await dispatcher.tick(now: t0.addingTimeInterval(300)) == 1)
            let state = try #require(try await outbox.outgoingState(id))
            #expect(state.state == .delivered && state.attempts == 3, "\(state)")
        }
        #expect(peer.posts.withLock { $0 } == 3)
        #expect(peer.elsewhere.withLock { $0 } == 0, "a redirect's target was sent the batch")
        // Each answer is kept for an operator, in the batch's attempts.
        let detail = try #require(try await outbox.batch(id))
        #expect(detail.attempts.map(\.outcome) == ["retry", "retry", "delivered"])
        let sent = try #require(try await outbox.payload(of: id, direction: .sent))
        #expect(detail.receipt?.batchId == id && detail.receipt?.bodySha256 == sha256Hex(sent.bytes))
    }

    @Test("a peer that keeps answering another batch's receipt: failed at the limit, saying so")
    func failedAtTheLimit() async throws {
        let temp = TemporaryFolder()
        let (outbox, id) = try await Self.outbox(temp)
        let peer = Peer(.receiptOfAnotherBatch, misbehaving: .max)
        let policy = RetryPolicy(firstDelay: 1, maximumDelay: 60, maximumAttempts: 3, maximumAge: 3600)
        try await Application(router: peer.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let dispatcher = Dispatcher(agency: .forem, store: outbox, client: PeerClient(timeout: .seconds(5)), policy: policy,
                                        peers: [.vdab: .init(url: "http://127.0.0.1:\(client.port!)", signer: RequestSignature(key: Array("k".utf8)))])
            let t0 = Date()
            for attempt in 1...3 { _ = try await dispatcher.tick(now: t0.addingTimeInterval(Double(attempt - 1) * 100)) }
        }
        let state = try #require(try await outbox.outgoingState(id))
        #expect(state.state == .failed && state.attempts == 3, "\(state)")
        #expect(state.lastAnswer?.contains("the peer answered a receipt of another batch") == true, "\(state)")
        #expect(try await outbox.batch(id)?.receipt == nil)
    }
}
