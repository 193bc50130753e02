import ExchangeHTTP
import ExchangeProtocol
import Files
import Formats
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import LedgerTestSupport
import Logging
import Model
import NIOCore
import Statistics
import Synchronization
import Testing

/// What an independent implementation of the protocol sends and answers, as the clarifications of
/// 2026-12-07 allow it (`exchange-protocol.md`, rules 5–12): this gateway takes its valid records,
/// and delivers to it, on loopback.
@Suite("An independent peer's valid records and answers (clarifications 5–12)", .bounded)
struct IndependentPeerTests {
    /// A clarified rule's batch (`ProfileRuleTests`), its record renamed so that each case is a
    /// record of its own in one ledger.
    static func body(_ name: String, _ form: BatchForm, id: String) throws -> [UInt8] {
        let rule = try #require(clarifiedRules.first { $0.name == name }, "no rule named \(name)")
        return Self.renamed(try ProfileRuleTests.body(rule, form: form), id: id)
    }

    static func renamed(_ body: [UInt8], id: String) -> [UInt8] {
        Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "FO-4481236", with: id).utf8)
    }

    @Test("each case sent to a gateway on loopback gets its receipt; staff get a note where this gateway's table reads the source otherwise")
    func receiving() async throws {
        let f = ReceivingFixture()
        defer { withExtendedLifetime(f) {} }
        let forem = f.forem
        try await f.application().test(.live) { client in
            func post(_ body: [UInt8], _ form: BatchForm) async throws -> (status: Int, receipt: Receipt?, text: String) {
                let response = try await client.execute(uri: "/exchange/v1/batches", method: .post,
                                                        headers: ReceivingFixture.headers(forem, as: "FOREM", body: body,
                                                                                          contentType: form == .json ? "application/json" : "application/xml"),
                                                        body: ByteBuffer(bytes: body))
                let text = String(buffer: response.body)
                return (Int(response.status.code), response.status == .ok ? try? JSONDecoder().decode(Receipt.self, from: Data(text.utf8)) : nil, text)
            }
            func accepted(_ answer: (status: Int, receipt: Receipt?, text: String), _ counts: Receipt.Counts) {
                #expect(answer.status == 200 && answer.receipt?.counts == counts, "\(answer.text.prefix(600))")
            }
            let one = Receipt.Counts(records: 1, accepted: 1, duplicates: 0, rejected: 0)
            // 1. The origin's source code is not resolved again.
            accepted(try await post(try Self.body("a Competent version this gateway does not know", .json, id: "FO-1"), .json), one)
            accepted(try await post(try Self.body("a ROME 4.0 source that this gateway maps to another fiche (M1811 under pivot M1805)", .xml, id: "FO-2"), .xml), one)
            accepted(try await post(try Self.body("a source code that this gateway's table reads as another fiche", .json, id: "FO-3"), .json), one)
            // 2. One record twice in a batch: v2 then v3 both taken; v2 then v1, the second stale.
            accepted(try await post(Self.renamed(try ProfileRuleTests.twice(.json, second: "3"), id: "FO-4"), .json),
                     .init(records: 2, accepted: 2, duplicates: 0, rejected: 0))
            let stale = try await post(Self.renamed(try ProfileRuleTests.twice(.xml, second: "1"), id: "FO-5"), .xml)
            #expect(stale.receipt?.counts == .init(records: 2, accepted: 1, duplicates: 0, rejected: 1), "\(stale.text.prefix(600))")
            #expect(stale.receipt?.rejected.first.map { "\($0.index) \($0.code)" } == "1 STALE_VERSION", "\(stale.text.prefix(600))")
            // 3. Numbers are values.
            accepted(try await post(try Self.body("hours written 38.500", .xml, id: "FO-6"), .xml), one)
            accepted(try await post(try Self.body("hours written 3.8e1", .json, id: "FO-7"), .json), one)
            accepted(try await post(try Self.body("a base duration written 1.0", .json, id: "FO-8"), .json), one)
            // 6. A byte-order mark is passed over; a duplicate member and a DOCTYPE stay 400, named.
            accepted(try await post(try Self.body("a UTF-8 byte-order mark before the JSON body", .json, id: "FO-9"), .json), one)
            let twice = Self.renamed(try ProfileRuleTests.body(try #require(vacancyRules.first { $0.name.hasPrefix("a member twice in one object") }), form: .json),
                                     id: "FO-10")
            let duplicate = try await post(twice, .json)
            #expect(duplicate.status == 400 && duplicate.text.contains("\\\"statusCode\\\" appears twice"), "\(duplicate.text.prefix(600))")
            let doctype = try await post(try Self.body("still: a DOCTYPE", .xml, id: "FO-11"), .xml)
            #expect(doctype.status == 400 && doctype.text.contains("DOCTYPE"), "\(doctype.text.prefix(600))")
        }
        // The notes for staff: in each record's history, and counted in the health report.
        let store = try SQLiteStore(path: f.temp.path("vdab.sqlite"))
        func note(_ id: String) async throws -> String? {
            let received = try await store.history(origin: .forem, recordId: id).received
            #expect(received.map(\.outcome) == [.accepted], "\(id): \(received)")
            return received.first.flatMap { r in r.code.map { "\($0): \(r.message ?? "")" } }
        }
        #expect(try await note("FO-1")?.hasPrefix("OCCUPATION_MISMATCH: this gateway's table cannot resolve COMPETENT 2024 H2913") == true)
        #expect(try await note("FO-2") == "OCCUPATION_MISMATCH: this gateway's table resolves ROME 4.0 M1811 to fiche M1802; the origin sent M1805, which is kept")
        #expect(try await note("FO-3") == "OCCUPATION_MISMATCH: this gateway's table resolves ROME 3 M1805 to fiche M1805; the origin sent H2913, which is kept")
        #expect(try await note("FO-6") == nil)
        let health = try await HealthStatistics(store: store).answer()
        #expect(health.noted.map { "\($0.peer) \($0.field) \($0.code) \($0.records)" } == ["FOREM occupationSource OCCUPATION_MISMATCH 3"])
        #expect(!health.rejections.contains { $0.code == "OCCUPATION_MISMATCH" || $0.code == "UNKNOWN_OCCUPATION" }, "\(health.rejections)")
    }

    @Test("the manifest on loopback: until may be left out (now); since after until is 400; an entry is in [since, until)")
    func manifestWindow() async throws {
        let f = ReceivingFixture()
        defer { withExtendedLifetime(f) {} }
        let forem = f.forem
        let body = try ReceivingFixture.batch()
        try await f.application().test(.live) { client in
            let posted = try await client.execute(uri: "/exchange/v1/batches", method: .post, headers: ReceivingFixture.headers(forem, as: "FOREM", body: body),
                                                  body: ByteBuffer(bytes: body))
            let receipt = try JSONDecoder().decode(Receipt.self, from: Data(buffer: posted.body))
            let at = try #require(Instant.parse(receipt.receivedAt))
            func manifest(_ query: String) async throws -> (status: Int, manifest: Manifest?, text: String) {
                let path = "/exchange/v1/manifest?" + query
                let response = try await client.execute(uri: path, method: .get, headers: ReceivingFixture.headers(forem, as: "FOREM", method: "GET", path: path, body: []))
                let text = String(buffer: response.body)
                return (Int(response.status.code), try? JSONDecoder().decode(Manifest.self, from: Data(text.utf8)), text)
            }
            // `until` left out is now, in whole seconds: wait until the second of the receipt is over.
            while Date() < at.addingTimeInterval(1.05) { try await Task.sleep(for: .milliseconds(50)) }
            let open = try await manifest("since=\(Instant.text(at.addingTimeInterval(-60)))")
            #expect(open.status == 200 && open.manifest?.batches.map(\.batchId) == [receipt.batchId], "\(open.text)")
            #expect(open.manifest.flatMap { Instant.parse($0.until) }.map { $0 >= at } == true, "until is now: \(open.text)")
            let reversed = try await manifest("since=\(Instant.text(at.addingTimeInterval(60)))&until=\(Instant.text(at))")
            #expect(reversed.status == 400 && reversed.text.contains("since is after until"), "\(reversed.text)")
            // The window is half open: an entry received at `until` is in the next one.
            let whole = Instant.parse(Instant.text(at))!
            let before = try await manifest("since=\(Instant.text(whole.addingTimeInterval(-60)))&until=\(Instant.text(whole))")
            #expect(before.status == 200 && before.manifest?.batches.isEmpty == true, "\(before.text)")
            let from = try await manifest("since=\(Instant.text(whole))&until=\(Instant.text(whole.addingTimeInterval(1)))")
            #expect(from.manifest?.batches.count == 1, "\(from.text)")
        }
    }

    /// A peer on loopback that answers each batch by a script of its own (by batch id, in turn; a
    /// true receipt once the script is spent), and a manifest of what it took, with one entry of a
    /// day before any window asked for.
    final class ScriptedPeer: Sendable {
        enum Answer: Sendable {
            /// 503 with `Retry-After` as an HTTP date this far ahead.
            case unavailable(seconds: Int)
            case status(Int)
            /// A receipt without `rejected` (nothing rejected), with a member the protocol does not have.
            case receiptWithoutRejected
            /// A receipt whose one rejection has `"recordId": null`.
            case rejectionWithNullId
        }
        static let receivedAt = "2026-11-20T06:00:01Z"
        let scripts: Mutex<[String: [Answer]]>
        let taken = Mutex<[ManifestEntry]>([])

        init(_ scripts: [String: [Answer]]) { self.scripts = Mutex(scripts) }

        static func json(_ object: [String: Any], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
            var fields = headers
            fields[.contentType] = "application/json"
            return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))))
        }

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("/exchange/v1/batches") { [self] request, _ in
                let body = [UInt8](buffer: try await request.body.collect(upTo: 16 << 20))
                let envelope = try JSONSerialization.jsonObject(with: Data(body)) as! [String: Any]
                let id = envelope["batchId"] as! String, records = (envelope["records"] as! [Any]).count
                let answer = scripts.withLock { s -> Answer? in s[id]?.isEmpty == false ? s[id]!.removeFirst() : nil }
                var receipt: [String: Any] = ["batchId": id, "receiptId": UUID().uuidString.lowercased(), "receivedAt": Self.receivedAt,
                                              "bodySha256": sha256Hex(body), "processingStatus": "completed", "result": "succeeded",
                                              "counts": ["records": records, "accepted": records, "duplicates": 0, "rejected": 0], "rejected": [Any]()]
                switch answer {
                case .unavailable(let seconds)?:
                    let formatter = DateFormatter()
                    formatter.locale = Locale(identifier: "en_US_POSIX")
                    formatter.timeZone = TimeZone(identifier: "GMT")
                    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
                    return try Self.json(["title": "Maintenance"], status: .serviceUnavailable,
                                         headers: [.retryAfter: formatter.string(from: Date().addingTimeInterval(Double(seconds)))])
                case .status(let code)?:
                    return Response(status: .init(code: code))
                case .receiptWithoutRejected?:
                    receipt["rejected"] = nil
                    receipt["implementation"] = "independent/1.0"
                case .rejectionWithNullId?:
                    receipt["result"] = "partiallyFailed"
                    receipt["counts"] = ["records": records, "accepted": records - 1, "duplicates": 0, "rejected": 1]
                    receipt["rejected"] = [["index": 0, "recordId": NSNull(), "field": "occupation", "code": "UNKNOWN_OCCUPATION",
                                            "message": "the back office cannot name this fiche"] as [String: Any]]
                case nil:
                    break
                }
                let counts = receipt["counts"] as! [String: Int]
                taken.withLock {
                    $0.append(ManifestEntry(batchId: id, bodySha256: sha256Hex(body), receivedAt: Self.receivedAt,
                                            counts: .init(records: counts["records"]!, accepted: counts["accepted"]!, duplicates: 0, rejected: counts["rejected"]!)))
                }
                return try Self.json(receipt)
            }
            router.get("/exchange/v1/manifest") { [self] request, _ in
                let entries = taken.withLock { $0 } + [ManifestEntry(batchId: "9d5e4c3b-2a19-4f8e-b7d6-c5a4b3c2d1e0", bodySha256: String(repeating: "a", count: 64),
                                                                    receivedAt: "2026-11-19T06:00:00Z", counts: .init(records: 1, accepted: 1, duplicates: 0, rejected: 0))]
                let manifest = Manifest(sender: "FOREM", receiver: "VDAB", since: request.uri.queryParameters["since"].map(String.init) ?? "",
                                        until: request.uri.queryParameters["until"].map(String.init) ?? "", batches: entries)
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try WireJSON.encode(manifest))))
            }
            return router
        }
    }

    @Test("the sender against a peer that answers 503 with an HTTP-date Retry-After, 202, a receipt without rejected, a rejection with a null recordId; reconcile ignores an entry outside the window")
    func sending() async throws {
        let temp = TemporaryFolder()
        let store = try SQLiteStore(path: temp.path("forem.sqlite"))
        let first = "0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77", second = "5d2c8e71-9b3f-4c0a-8e6d-2a7b1c9f4e10"
        var queued: [QueuedBatch] = []
        for id in [first, second] {
            let body = try ReceivingFixture.batch(batchId: id)
            queued.append(QueuedBatch(batchId: id, peer: .vdab, recordType: .vacancy, body: body, form: .json, recordCount: 4))
        }
        try await store.commitPickup(PickupEntry(source: "vacancy/test.xml", sha256: String(repeating: "1", count: 64), recordType: .vacancy, outcome: .done),
                                     batches: queued, routed: [])
        let peer = ScriptedPeer([first: [.unavailable(seconds: 120), .status(202), .status(201), .status(204), .receiptWithoutRejected],
                                 second: [.rejectionWithNullId]])
        let policy = RetryPolicy(firstDelay: 1, maximumDelay: 60, maximumAttempts: 8, maximumAge: 3600)
        let logs = CollectedLogs()
        try await Application(router: peer.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let settings = Dispatcher.Peer(url: "http://127.0.0.1:\(client.port!)", signer: RequestSignature(key: Array("k".utf8)))
            let dispatcher = Dispatcher(agency: .forem, store: store, client: PeerClient(timeout: .seconds(5)), policy: policy, peers: [.vdab: settings])
            let t0 = Date()
            _ = try await dispatcher.tick(now: t0)
            var state = try #require(try await store.outgoingState(first))
            #expect(state.state == .queued && state.attempts == 1 && state.lastAnswer?.hasPrefix("503") == true, "\(state)")
            // Retry-After as a date two minutes ahead: not due a minute later, though the policy's
            // own delay (1 s) has long passed.
            _ = try await dispatcher.tick(now: t0.addingTimeInterval(60))
            #expect(try await store.outgoingState(first)?.attempts == 1)
            var at = t0.addingTimeInterval(200)
            for status in [202, 201, 204] {
                _ = try await dispatcher.tick(now: at)
                state = try #require(try await store.outgoingState(first))
                #expect(state.state == .queued && state.lastAnswer?.contains("the peer answered \(status), not 200 with a receipt") == true, "\(state)")
                at.addTimeInterval(120)
            }
            for _ in 0..<4 {
                let a = try await store.outgoingState(first)?.state, b = try await store.outgoingState(second)?.state
                if a == .delivered && b == .delivered { break }
                _ = try await dispatcher.tick(now: at)
                at.addTimeInterval(120)
            }
            #expect(try await store.outgoingState(first)?.state == .delivered)
            #expect(try await store.outgoingState(second)?.state == .delivered)

            var reconciliation = Reconciliation(agency: .forem, store: store, client: PeerClient(timeout: .seconds(5)), peers: [.vdab: settings])
            reconciliation.logger = Logger(label: "test.reconcile", factory: logs.handler)
            let window = try #require(Instant.parse(ScriptedPeer.receivedAt))
            let report = try await reconciliation.run(peer: .vdab, since: window.addingTimeInterval(-3600), until: window.addingTimeInterval(3600))
            #expect(report.confirmed.sorted() == [first, second].sorted())
            #expect(report.findings == 0, "\(report)")
            #expect(report.ignoredOutsideWindow.map { "\($0.batchId) \($0.receivedAt)" } == ["9d5e4c3b-2a19-4f8e-b7d6-c5a4b3c2d1e0 2026-11-19T06:00:00Z"])
        }
        let attempts = try #require(try await store.batch(first)).attempts
        #expect(attempts.map(\.outcome) == ["retry", "retry", "retry", "retry", "delivered"])
        let rejected = try #require(try await store.batch(second)).rejections
        #expect(rejected.map { "\($0.index) '\($0.recordId)' \($0.code)" } == ["0 '' UNKNOWN_OCCUPATION"])
        #expect(logs.text.contains("a manifest entry outside the window asked for is ignored"), "\(logs.text)")
        #expect(logs.text.contains("batch=9d5e4c3b-2a19-4f8e-b7d6-c5a4b3c2d1e0"), "\(logs.text)")
    }

    /// Le Forem's fixture vacancies with two more versions: FO-4481236 again as version 3 after its
    /// version 2, and FO-4481238 as version 3 after its version 4 (ISO-8859-1, as Le Forem writes).
    static func twoVersions() throws -> [UInt8] {
        var text = try #require(String(data: Data(try Translation.fixture("forem/vacancies.xml")), encoding: .isoLatin1))
        let start = try #require(text.range(of: "<offre numero=\"FO-4481236\"")), end = try #require(text.range(of: "</offre>", range: start.upperBound..<text.endIndex))
        let newer = text[start.lowerBound..<end.upperBound].replacingOccurrences(of: "version=\"2\"", with: "version=\"3\"")
            .replacingOccurrences(of: "<nombrePostes>1<", with: "<nombrePostes>2<")
        let s8 = try #require(text.range(of: "<offre numero=\"FO-4481238\"")), e8 = try #require(text.range(of: "</offre>", range: s8.upperBound..<text.endIndex))
        let older = text[s8.lowerBound..<e8.upperBound].replacingOccurrences(of: "version=\"4\"", with: "version=\"3\"")
        let close = try #require(text.range(of: "</lotOffres>", options: .backwards))
        text.insert(contentsOf: newer + "\n  " + older + "\n", at: close.lowerBound)
        return [UInt8](try #require(text.data(using: .isoLatin1)))
    }

    @Test("a document with two versions of a record sends its highest once, valid for validate_records.py; the report lists the other as superseded",
          .enabled(if: OutgoingConformanceTests.validatorPresent, "python3 with jsonschema, or ../shared/specs, is absent: skipped"),
          arguments: [BatchForm.json, .xml])
    func superseded(_ encoding: BatchForm) async throws {
        let document = try Self.twoVersions()
        // From the outgoing folder (read in parts) …
        let (batches, entries) = try await OutgoingConformanceTests.pickUp(.forem, [("delta.xml", .vacancy, document)], encoding: encoding)
        let entry = try #require(entries.first)
        #expect(entry.outcome == .done && entry.records == 6 && entry.queued == 4, "\(entry.report)")
        let report = try JSONSerialization.jsonObject(with: Data(entry.report.utf8)) as! [String: Any]
        let superseded = (report["superseded"] as? [[String: Any]] ?? []).map { "\($0["index"]!) \($0["recordId"]!)" }
        #expect(superseded == ["1 FO-4481236", "6 FO-4481238"], "\(entry.report)")
        #expect((report["counts"] as? [String: Any])?["superseded"] as? Int == 2, "\(entry.report)")
        let (status, output, records) = try await OutgoingConformanceTests.validate(batches)
        #expect(status == 0, "\(output)")
        #expect(records == 4 * (AgencyDirectory.profile.codes.count - 1))
        for batch in batches {
            let read = try ExchangeFormat.readBatch(batch.body, form: batch.form, taxonomy: Translation.taxonomy)
            let versions = read.records.compactMap { $0.record }.map { "\($0.id.rawValue) v\($0.version.rawValue)" }
            #expect(versions.filter { $0.hasPrefix("FO-4481236 ") } == ["FO-4481236 v3"] && versions.filter { $0.hasPrefix("FO-4481238 ") } == ["FO-4481238 v4"],
                    "\(versions)")
        }
    }

    @Test("a delta export holding two versions of one vacancy goes out as one record, its highest version")
    func deltaExport() async throws {
        let temp = TemporaryFolder()
        let store = try SQLiteStore(path: temp.path("forem.sqlite"))
        let document = try Self.twoVersions()
        try await Application(router: PickupTests.export(document), configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client async throws -> Void in
            let entries = try await PickupTests.exportPickup(port: client.port!, store: store).run()
            #expect(entries.map(\.queued) == [4])
        }
        let sent = try await store.batches(BatchFilter(direction: .sent))
        #expect(sent.count == 1)
        let batchId = try #require(sent.first).batchId
        let payload = try #require(try await store.payload(of: batchId, direction: .sent))
        let read = try ExchangeFormat.readBatch(payload.bytes, form: payload.form, taxonomy: Translation.taxonomy)
        #expect(read.records.compactMap { $0.record }.map { "\($0.id.rawValue) v\($0.version.rawValue)" }.sorted()
                == ["FO-4481236 v3", "FO-4481237 v1", "FO-4481238 v4", "FO-4481239 v1"].sorted())
        let entry = try #require(try await store.pickup(source: "export:vacancy since the start", sha256: sha256Hex(document)))
        #expect(entry.report.contains("\"superseded\"") && entry.report.contains("version 2 is superseded by version 3"), "\(entry.report)")
        if OutgoingConformanceTests.validatorPresent {
            let (status, output, _) = try await OutgoingConformanceTests.validate([(batchId, payload.bytes, payload.form)])
            #expect(status == 0, "\(output)")
        } else {
            Issue.record("python3 with jsonschema, or ../shared/specs, is absent: the batch was not checked by validate_records.py")
        }
    }
}
