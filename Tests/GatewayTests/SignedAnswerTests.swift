import ExchangeHTTP
import ExchangeProtocol
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

/// Signed answers (`exchange-protocol.md`, clarification 13), tried as a man in the middle would:
/// this gateway signs every 200 it answers to a signed request, and a sender that requires signed
/// answers takes neither a forged receipt nor a forged manifest.
@Suite("Signed answers: receipts and manifests a man in the middle cannot forge", .bounded)
struct SignedAnswerTests {
    @Test("the receiver signs its receipt, a replayed receipt, a stored receipt and a manifest with the key that verified the request")
    func receiverSigns() async throws {
        let f = ReceivingFixture()
        defer { withExtendedLifetime(f) {} }
        let forem = f.forem
        let body = try ReceivingFixture.batch()
        try await f.application().test(.live) { client in
            func check(_ response: TestResponse, _ request: HTTPFields, _ what: String) {
                let sent = request[HTTPField.Name(RequestSignature.signatureHeader)!] ?? ""
                #expect(response.status == .ok, "\(what)")
                do throws(RequestSignature.Failure) {
                    try forem.verifyAnswer(status: 200, requestSignature: sent, timestamp: response.headers[HTTPField.Name(RequestSignature.timestampHeader)!],
                                           signature: response.headers[HTTPField.Name(RequestSignature.signatureHeader)!],
                                           bodySha256: sha256Hex(Array(buffer: response.body)))
                } catch {
                    Issue.record("\(what): \(error.sentence)")
                }
                // Bound to its request: the same answer does not verify for another request's signature.
                #expect(throws: RequestSignature.Failure.badSignature) {
                    try forem.verifyAnswer(status: 200, requestSignature: "hmac-sha256=" + String(repeating: "0", count: 64),
                                           timestamp: response.headers[HTTPField.Name(RequestSignature.timestampHeader)!],
                                           signature: response.headers[HTTPField.Name(RequestSignature.signatureHeader)!],
                                           bodySha256: sha256Hex(Array(buffer: response.body)))
                }
            }
            for what in ["receipt", "replayed receipt"] {
                let headers = ReceivingFixture.headers(forem, as: "FOREM", body: body)
                check(try await client.execute(uri: "/exchange/v1/batches", method: .post, headers: headers, body: ByteBuffer(bytes: body)), headers, what)
            }
            let receiptPath = "/exchange/v1/batches/0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77/receipt"
            let receiptHeaders = ReceivingFixture.headers(forem, as: "FOREM", method: "GET", path: receiptPath, body: [])
            check(try await client.execute(uri: receiptPath, method: .get, headers: receiptHeaders), receiptHeaders, "stored receipt")
            let manifestPath = "/exchange/v1/manifest?since=2026-01-01T00:00:00Z"
            let manifestHeaders = ReceivingFixture.headers(forem, as: "FOREM", method: "GET", path: manifestPath, body: [])
            check(try await client.execute(uri: manifestPath, method: .get, headers: manifestHeaders), manifestHeaders, "manifest")
            // A problem answer is not signed: it never confirms a delivery.
            let wrong = ReceivingFixture.headers(RequestSignature(key: Array("not the key".utf8)), as: "FOREM", body: body)
            let refused = try await client.execute(uri: "/exchange/v1/batches", method: .post, headers: wrong, body: ByteBuffer(bytes: body))
            #expect(refused.status == .unauthorized && refused.headers[HTTPField.Name(RequestSignature.signatureHeader)!] == nil)
        }
    }

    /// A man in the middle with no key: he reads the request, swallows the batch and answers a
    /// receipt that names its batch id, body digest and record count — unsigned, or signed with a key
    /// of his own — and a manifest that lists the batch.
    final class ManInTheMiddle: Sendable {
        enum Forgery: String, Sendable, CaseIterable { case unsigned, ownKey }
        let forgery: Forgery
        let swallowed = Mutex<[String: (sha256: String, records: Int)]>([:])
        init(_ forgery: Forgery) { self.forgery = forgery }

        func signed(_ body: Data, request: Request) -> Response {
            var headers: HTTPFields = [.contentType: "application/json"]
            if forgery == .ownKey {
                let timestamp = Instant.text(Date())
                headers[HTTPField.Name(RequestSignature.timestampHeader)!] = timestamp
                headers[HTTPField.Name(RequestSignature.signatureHeader)!] = RequestSignature(key: Array("the man in the middle".utf8))
                    .signAnswer(status: 200, requestSignature: request.headers[HTTPField.Name(RequestSignature.signatureHeader)!] ?? "",
                                timestamp: timestamp, bodySha256: sha256Hex(body))
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("/exchange/v1/batches") { [self] request, _ in
                let body = [UInt8](buffer: try await request.body.collect(upTo: 16 << 20))
                let envelope = try JSONSerialization.jsonObject(with: Data(body)) as! [String: Any]
                let id = envelope["batchId"] as! String, records = (envelope["records"] as! [Any]).count
                swallowed.withLock { $0[id] = (sha256Hex(body), records) }
                let receipt = Receipt(batchId: id, receiptId: UUID().uuidString.lowercased(), receivedAt: Instant.text(Date()), bodySha256: sha256Hex(body),
                                      counts: .init(records: records, accepted: records, duplicates: 0, rejected: 0), rejected: [])
                return signed(try WireJSON.encode(receipt), request: request)
            }
            router.get("/exchange/v1/manifest") { [self] request, _ in
                let entries = swallowed.withLock { $0 }.map { id, b in
                    ManifestEntry(batchId: id, bodySha256: b.sha256, receivedAt: Instant.text(Date()), counts: .init(records: b.records, accepted: b.records, duplicates: 0, rejected: 0))
                }
                let manifest = Manifest(sender: "FOREM", receiver: "VDAB", since: request.uri.queryParameters["since"].map(String.init) ?? "",
                                        until: request.uri.queryParameters["until"].map(String.init) ?? "", batches: entries)
                return signed(try WireJSON.encode(manifest), request: request)
            }
            return router
        }
    }

    @Test("a forged receipt and a forged manifest: the batch is not delivered and reconcile has no answer, both said; without the requirement the forgery works",
          arguments: ManInTheMiddle.Forgery.allCases)
    func manInTheMiddle(_ forgery: ManInTheMiddle.Forgery) async throws {
        let temp = TemporaryFolder()
        let (outbox, id) = try await PeerAnswerTests.outbox(temp)
        let mitm = ManInTheMiddle(forgery)
        let key = RequestSignature(key: Array("forem-to-vdab".utf8))
        try await Application(router: mitm.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let url = "http://127.0.0.1:\(client.port!)"
            let required = Dispatcher.Peer(url: url, signer: key, signedAnswers: true)
            let dispatcher = Dispatcher(agency: .forem, store: outbox, client: PeerClient(timeout: .seconds(5)),
                                        policy: RetryPolicy(firstDelay: 1, maximumDelay: 60, maximumAttempts: 5, maximumAge: 3600), peers: [.vdab: required])
            #expect(try await dispatcher.tick() == 1)
            let state = try #require(try await outbox.outgoingState(id))
            #expect(state.state == .queued, "\(state)")
            let expected = forgery == .unsigned ? "the peer's answer has no X-PES-Timestamp header" : "the peer's answer has a signature that does not match"
            #expect(state.lastAnswer?.contains(expected) == true, "\(state)")
            // The operator's view says it too: the attempt and its answer.
            let view = try #require(try await outbox.batch(id))
            #expect(view.attempts.last?.answer.contains(expected) == true, "\(view.attempts)")

            let reconciliation = Reconciliation(agency: .forem, store: outbox, client: PeerClient(timeout: .seconds(5)), peers: [.vdab: required])
            await #expect { _ = try await reconciliation.run(peer: .vdab, since: Date().addingTimeInterval(-3600), until: Date().addingTimeInterval(60)) } throws: {
                "\($0)".contains("answered a manifest that") && "\($0)".contains("a manifest is taken from VDAB only signed, so this is no answer")
            }

            // The same forgery against a sender that does not require signed answers: taken.
            let trusting = Dispatcher(agency: .forem, store: outbox, client: PeerClient(timeout: .seconds(5)),
                                      policy: RetryPolicy(firstDelay: 0, maximumDelay: 0, maximumAttempts: 5, maximumAge: 3600),
                                      peers: [.vdab: Dispatcher.Peer(url: url, signer: key)])
            #expect(try await trusting.tick(now: Date().addingTimeInterval(120)) == 1)
            #expect(try await outbox.outgoingState(id)?.state == .delivered)
        }
    }

    @Test("a sender that requires signed answers delivers to a gateway that signs them, and reconciles with it")
    func genuine() async throws {
        let f = ReceivingFixture()
        defer { withExtendedLifetime(f) {} }
        let temp = TemporaryFolder()
        let (outbox, id) = try await PeerAnswerTests.outbox(temp)
        let forem = f.forem
        try await f.application().test(.live) { client in
            let peer = Dispatcher.Peer(url: "http://127.0.0.1:\(client.port!)", signer: forem, signedAnswers: true)
            let dispatcher = Dispatcher(agency: .forem, store: outbox, client: PeerClient(timeout: .seconds(5)), policy: RetryPolicy(), peers: [.vdab: peer])
            #expect(try await dispatcher.tick() == 1)
            #expect(try await outbox.outgoingState(id)?.state == .delivered)
            let report = try await Reconciliation(agency: .forem, store: outbox, client: PeerClient(timeout: .seconds(5)), peers: [.vdab: peer])
                .run(peer: .vdab, since: Date().addingTimeInterval(-3600), until: Date().addingTimeInterval(60))
            #expect(report.confirmed == [id] && report.findings == 0, "\(report)")
        }
    }

    @Test("signedAnswers is read from the configuration; a peer at an http:// URL off loopback is refused at start unless insecure: true")
    func configuration() throws {
        let temp = TemporaryFolder()
        try temp.keys("vdab-to-forem.key", "forem-to-vdab.key")
        func load(_ peer: String) throws -> GatewayConfiguration {
            try GatewayConfiguration.load(try temp.write("forem.yaml", """
                agency: FOREM
                listen: 127.0.0.1:0
                store: forem.sqlite
                delivery: { folder: incoming, vacancy: forem }
                peers:
                  VDAB:
                    receiveKeyFile: vdab-to-forem.key
                    sendKeyFile: forem-to-vdab.key
                    receive: [vacancy]
                    send: [vacancy]
                \(peer.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
                """))
        }
        let required = try load("url: https://gateway.vdab.example:8401\nsignedAnswers: required")
        #expect(required.peers[.vdab]?.signedAnswers == true)
        #expect(try required.sendingPeers()[.vdab]?.signedAnswers == true)
        #expect(try load("url: http://127.0.0.1:8401").peers[.vdab]?.signedAnswers == false)
        #expect { try load("url: http://127.0.0.1:8401\nsignedAnswers: yes") } throws: { "\($0)".contains("peers.VDAB.signedAnswers: expected required") }
        #expect { try load("url: http://gateway.vdab.example:8401") } throws: {
            "\($0)".contains("batches would cross the network with VDAB in clear text (peers.VDAB.url is http://)") && "\($0)".contains("insecure: true")
        }
        let allowed = try load("url: http://gateway.vdab.example:8401\ninsecure: true")
        #expect(allowed.insecure.contains { $0.hasPrefix("peers.VDAB.insecure: batches cross the network with VDAB in clear text") }, "\(allowed.insecure)")
    }
}
