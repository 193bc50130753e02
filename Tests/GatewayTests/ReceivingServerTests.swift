import ExchangeHTTP
import ExchangeProtocol
import AsyncHTTPClient
import Formats
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import LedgerTestSupport
import Model
import NIOCore
import Testing

/// A receiving gateway (VDAB's) on loopback with a real SQLite ledger, and peers signing as FOREM
/// and ACTIRIS.
struct ReceivingFixture {
    let temp = TemporaryFolder()
    let forem = RequestSignature(key: Array("forem-to-vdab".utf8))
    let actiris = RequestSignature(key: Array("actiris-to-vdab".utf8))

    func application(admission: Admission = Admission(), payloadKey: PayloadKey? = nil, actirisSends: [RecordType] = [.trainee],
                     afterReceipt: @escaping @Sendable (StoredBatch) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let router = Router()
        let store = try SQLiteStore(path: temp.path("vdab.sqlite"), payloadKey: payloadKey)
        ReceivingGateway(agency: .vdab, peers: [.forem: .init(signature: forem), .actiris: .init(signature: actiris, receives: Set(actirisSends))],
                         store: store, taxonomy: Translation.taxonomy, afterReceipt: afterReceipt, admission: admission)
            .addRoutes(to: router)
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    /// Le Forem's fixture vacancies as an exchange batch for `receiver`.
    static func batch(_ form: String = "exchange-json", receiver: Agency = .vdab, batchId: String = "0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77",
                      from sender: String = "forem") throws -> [UInt8] {
        let out = ByteWriter()
        _ = try Translator(source: Translation.catalog.format(sender, type: .vacancy)!, target: Translation.catalog.format(form, type: .vacancy)!,
                           taxonomy: Translation.taxonomy, envelope: EnvelopeFields(receiver: receiver, batchId: batchId))
            .translate(ByteReader(bytes: try Translation.fixture("\(sender)/vacancies.xml")), into: out)
        return out.collected
    }

    static func headers(_ signer: RequestSignature, as sender: String, method: String = "POST", path: String = "/exchange/v1/batches",
                        body: [UInt8], at date: Date = Date(), contentType: String = "application/json") -> HTTPFields {
        let timestamp = Instant.text(date)
        var fields: HTTPFields = [.contentType: contentType]
        fields[HTTPField.Name(RequestSignature.senderHeader)!] = sender
        fields[HTTPField.Name(RequestSignature.timestampHeader)!] = timestamp
        fields[HTTPField.Name(RequestSignature.signatureHeader)!] = signer.sign(method: method, pathWithQuery: path, timestamp: timestamp, body: body)
        return fields
    }
}

@Suite("The receiving gateway on loopback: receipts, replays and every error status", .bounded)
struct ReceivingServerTests {
    func receipt(_ response: TestResponse) throws -> Receipt {
        try JSONDecoder().decode(Receipt.self, from: Data(buffer: response.body))
    }

    func problem(_ response: TestResponse) throws -> [String: Any] {
        #expect(response.headers[.contentType] == "application/problem+json")
        return try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
    }

    @Test("a batch, its replay, a reused id, duplicates in a new batch, the XML form, the receipt endpoint, and another sender under the same id")
    func receiveAndReplay() async throws {
        let f = ReceivingFixture()
        let forem = f.forem, actiris = f.actiris
        let body = try ReceivingFixture.batch()
        defer { withExtendedLifetime(f) {} }
        try await f.application(actirisSends: [.vacancy, .trainee]).test(.live) { client in
            let first = try await client.execute(uri: "/exchange/v1/batches", method: .post, headers: ReceivingFixture.headers(forem, as: "FOREM", body: body),
                                                 body: ByteBuffer(bytes: body))
            #expect(first.status == .ok)
            let r1 = try receipt(first)
            #expect(r1.counts == .init(records: 4, accepted: 4, duplicates: 0, rejected: 0))
            #expect(r1.bodySha256 == sha256Hex(body))
            #expect(first.headers[HTTPField.Name("X-PES-Replayed")!] == nil)

            let replay = try await client.execute(uri: "/exchange/v1/batches", method: .post, headers: ReceivingFixture.headers(forem, as: "FOREM", body: body),
                                                  body: ByteBuffer(bytes: body))
            #expect(replay.status == .ok)
            #expect(replay.headers[HTTPField.Name("X-PES-Replayed")!] == "true")
            #expect(try receipt(replay) == r1)

            let xmlSameId = try ReceivingFixture.batch("exchange-xml")
            let reused = try await client.execute(uri: "/exchange/v1/batches", method: .post,
                                                  headers: ReceivingFixture.headers(forem, as: "FOREM", body: xmlSameId, contentType: "application/xml"),
                                                  body: ByteBuffer(bytes: xmlSameId))
            #expect(reused.status == .conflict)

            let xml = try ReceivingFixture.batch("exchange-xml", batchId: "5d2c8e71-9b3f-4c0a-8e6d-2a7b1c9f4e10")
            let again = try await client.execute(uri: "/exchange/v1/batches", method: .post,
                                                 headers: ReceivingFixture.headers(forem, as: "FOREM", body: xml, contentType: "application/xml; charset=utf-8"),
                                                 body: ByteBuffer(bytes: xml))
            #expect(again.status == .ok)
            #expect(try receipt(again).counts == .init(records: 4, accepted: 0, duplicates: 4, rejected: 0))

            let path = "/exchange/v1/batches/0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77/receipt"
            let stored = try await client.execute(uri: path, method: .get, headers: ReceivingFixture.headers(forem, as: "FOREM", method: "GET", path: path, body: []))
            #expect(stored.status == .ok)
            #expect(try receipt(stored) == r1)
            let unknownPath = "/exchange/v1/batches/00000000-0000-4000-8000-000000000000/receipt"
            let unknown = try await client.execute(uri: unknownPath, method: .get,
                                                   headers: ReceivingFixture.headers(forem, as: "FOREM", method: "GET", path: unknownPath, body: []))
            #expect(unknown.status == .notFound)
            let theirs = try await client.execute(uri: path, method: .get, headers: ReceivingFixture.headers(actiris, as: "ACTIRIS", method: "GET", path: path, body: []))
            #expect(theirs.status == .notFound)   // another peer's batch is not shown
            // Batch ids are the sender's (migration 0016): Actiris posting under Le Forem's id, with
            // another body, stores a batch of its own; no 409 tells it that Le Forem used the id.
            let underForemsId = try ReceivingFixture.batch("exchange-xml", from: "actiris")
            let own = try await client.execute(uri: "/exchange/v1/batches", method: .post,
                                               headers: ReceivingFixture.headers(actiris, as: "ACTIRIS", body: underForemsId, contentType: "application/xml"),
                                               body: ByteBuffer(bytes: underForemsId))
            #expect(own.status == .ok)
            #expect(own.headers[HTTPField.Name("X-PES-Replayed")!] == nil)
            #expect(try receipt(own).bodySha256 == sha256Hex(underForemsId))
            let ownReceipt = try await client.execute(uri: path, method: .get, headers: ReceivingFixture.headers(actiris, as: "ACTIRIS", method: "GET", path: path, body: []))
            #expect(try receipt(ownReceipt) == receipt(own))
            let foremsStill = try await client.execute(uri: path, method: .get, headers: ReceivingFixture.headers(forem, as: "FOREM", method: "GET", path: path, body: []))
            #expect(try receipt(foremsStill) == r1)
            let health = try await client.execute(uri: "/exchange/v1/health", method: .get)
            #expect(String(buffer: health.body) == #"{"status":"ok"}"#)
        }
    }

    @Test("faults answered with the protocol's status and a problem body, and nothing stored")
    func faults() async throws {
        let f = ReceivingFixture()
        let forem = f.forem, actiris = f.actiris
        let body = try ReceivingFixture.batch()
        defer { withExtendedLifetime(f) {} }
        try await f.application().test(.live) { client in
            func post(_ headers: HTTPFields, _ bytes: [UInt8]) async throws -> TestResponse {
                try await client.execute(uri: "/exchange/v1/batches", method: .post, headers: headers, body: ByteBuffer(bytes: bytes))
            }
            var tampered = body
            tampered[tampered.count - 3] = UInt8(ascii: " ")
            let cases: [(String, HTTPFields, [UInt8], HTTPResponse.Status)] = [
                ("bad signature", ReceivingFixture.headers(forem, as: "FOREM", body: body), tampered, .unauthorized),
                ("clock skew", ReceivingFixture.headers(forem, as: "FOREM", body: body, at: Date().addingTimeInterval(-301)), body, .unauthorized),
                ("unknown sender", ReceivingFixture.headers(forem, as: "LUXEMBOURG", body: body), body, .unauthorized),
                ("unsigned", [.contentType: "application/json"], body, .unauthorized),
                ("signed as another agency", ReceivingFixture.headers(actiris, as: "ACTIRIS", body: body), body, .forbidden),
                ("content type", ReceivingFixture.headers(forem, as: "FOREM", body: body, contentType: "text/plain"), body, .unsupportedMediaType),
                ("not JSON", ReceivingFixture.headers(forem, as: "FOREM", body: Array("{\"profile\":".utf8)), Array("{\"profile\":".utf8), .badRequest),
            ]
            for (name, headers, bytes, status) in cases {
                let response = try await post(headers, bytes)
                #expect(response.status == status, "\(name)")
                let p = try problem(response)
                #expect(p["status"] as? Int == Int(status.code), "\(name)")
                #expect((p["detail"] as? String)?.isEmpty == false, "\(name)")
            }
            // Actiris may send trainee records only to this gateway: its vacancies are refused.
            let out = ByteWriter()
            _ = try Translator(source: Translation.catalog.format("actiris", type: .vacancy)!, target: Translation.catalog.format("exchange-json", type: .vacancy)!,
                               taxonomy: Translation.taxonomy, envelope: EnvelopeFields(receiver: .vdab))
                .translate(ByteReader(bytes: try Translation.fixture("actiris/vacancies.xml")), into: out)
            let notAgreed = try await post(ReceivingFixture.headers(actiris, as: "ACTIRIS", body: out.collected), out.collected)
            #expect(notAgreed.status == .forbidden)
            #expect((try problem(notAgreed)["detail"] as? String)?.contains("not agreed for vacancy records") == true)

            let forActiris = try ReceivingFixture.batch(receiver: .actiris, batchId: "11111111-2222-4333-8444-555555555555")
            #expect(try await post(ReceivingFixture.headers(forem, as: "FOREM", body: forActiris), forActiris).status == .unprocessableContent)
            let profile2 = Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "be-pes-exchange/1", with: "be-pes-exchange/2").utf8)
            #expect(try await post(ReceivingFixture.headers(forem, as: "FOREM", body: profile2), profile2).status == .unprocessableContent)

            // 5,001 records: the same record under 5,001 ids.
            let text = String(decoding: body, as: UTF8.self)
            let start = text.range(of: "\"records\": [")!.upperBound, end = text.range(of: "\n  ]\n}")!.lowerBound
            let one = String(text[start..<end]).components(separatedBy: ",\n    {")[0]
            let many = (0..<5_001).map { one.replacingOccurrences(of: "\"FO-4481236\"", with: "\"FO-\($0)\"") }.joined(separator: ",")
            let big = Array((String(text[..<start]) + many + "]}").utf8)
            #expect(try await post(ReceivingFixture.headers(forem, as: "FOREM", body: big), big).status == .contentTooLarge)

            let huge = [UInt8](repeating: UInt8(ascii: " "), count: ReceivingGateway.maximumBody + 1)
            #expect(try await post(ReceivingFixture.headers(forem, as: "FOREM", body: huge), huge).status == .contentTooLarge)

            // Nothing of the above was stored: the well-formed batch is new.
            let ok = try await post(ReceivingFixture.headers(forem, as: "FOREM", body: body), body)
            #expect(ok.status == .ok)
            #expect(ok.headers[HTTPField.Name("X-PES-Replayed")!] == nil)
        }
    }

    @Test("saturated: 429 with Retry-After while the gateway's capacity is taken; shutting down: 503 with Retry-After")
    func saturatedAndShuttingDown() async throws {
        let f = ReceivingFixture()
        let admission = Admission(capacity: 1, retryAfterSaturated: 2, retryAfterShutdown: 30)
        // The first batch is held after its receipt is committed, until the test lets it go.
        let (started, startedSignal) = AsyncStream<Void>.makeStream()
        let (release, releaseSignal) = AsyncStream<Void>.makeStream()
        let app = try f.application(admission: admission) { stored in
            guard stored.batchId == "0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77" else { return }
            startedSignal.yield()
            _ = try? await release.next(within: .seconds(60), "the test's release of the held batch")
        }
        let forem = f.forem
        try await app.test(.live) { client async throws -> Void in
            // Each request on its own connection (the test client would queue them on one).
            let url = "http://127.0.0.1:\(client.port!)/exchange/v1/batches"
            @Sendable func post(_ body: [UInt8]) async throws -> (status: Int, retryAfter: String?, title: String?, problemStatus: Int?) {
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                for field in ReceivingFixture.headers(forem, as: "FOREM", body: body) { request.headers.add(name: field.name.rawName, value: field.value) }
                request.body = .bytes(ByteBuffer(bytes: body))
                // Generous: the held one waits for the test's release, and the whole suite shares two cores.
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(90))
                let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
                let problem = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
                return (Int(response.status.code), response.headers.first(name: "Retry-After"), problem["title"] as? String, problem["status"] as? Int)
            }
            let first = try ReceivingFixture.batch()
            let held = Task { try await post(first) }
            try await started.next(within: .seconds(30), "the first batch held after its receipt")
            #expect(admission.inFlight == 1)
            let second = try ReceivingFixture.batch(batchId: "22222222-2222-4222-8222-222222222222")
            let refused = try await post(second)
            #expect(refused.status == 429)
            #expect(refused.retryAfter == "2")
            #expect(refused.title == "Saturated")
            releaseSignal.yield()
            #expect(try await held.value.status == 200)
            #expect(admission.inFlight == 0)
            // The same batch again, once there is room: taken.
            #expect(try await post(second).status == 200)

            admission.beginShutdown()
            let late = try await post(try ReceivingFixture.batch(batchId: "33333333-3333-4333-8333-333333333333"))
            #expect(late.status == 503)
            #expect(late.retryAfter == "30")
            #expect(late.problemStatus == 503)
        }
        // What a sender does with those answers: it comes back no sooner than asked.
        var random = SystemRandomNumberGenerator()
        let now = Date()
        let step = RetryPolicy(firstDelay: 1).next(after: .status(503, body: "", retryAfter: 30), attempts: 1, firstAttempt: now, now: now, random: &random)
        #expect(step == .retry(at: now.addingTimeInterval(30)))
    }
}
