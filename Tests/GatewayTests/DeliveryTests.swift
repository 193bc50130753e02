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
import Synchronization
import Testing

@Suite("Delivery to the back office", .bounded)
struct DeliveryTests {
    /// Receives a batch into the ledger as the routes do, without delivering it (as if the gateway
    /// stopped right after committing the receipt).
    func receiveOnly(_ store: SQLiteStore, _ body: [UInt8], form: BatchForm = .json) async throws -> Receipt? {
        let batch = try ExchangeFormat.readBatch(body, form: form, taxonomy: Translation.taxonomy)
        let outcome = try await store.receive(IncomingBatch(batchId: batch.envelope["batchId"]!, sender: batch.sender, recordType: .vacancy,
                                                      bodySha256: sha256Hex(body), receivedAt: Date(), records: batch.records, body: body, form: form))
        if case .stored(let r, _) = outcome { return r }
        return nil
    }

    @Test("a batch received before a crash is delivered at the next start, once, with its accepted records only")
    func afterCrash() async throws {
        let temp = TemporaryFolder()
        let store = try SQLiteStore(path: temp.path("vdab.sqlite"))
        let first = try ReceivingFixture.batch()
        #expect(try await receiveOnly(store, first)?.counts.accepted == 4)
        // A second batch repeating the same records: all duplicates, nothing to hand over.
        let second = try ReceivingFixture.batch("exchange-xml", batchId: "5d2c8e71-9b3f-4c0a-8e6d-2a7b1c9f4e10")
        #expect(try await receiveOnly(store, second, form: .xml)?.counts.duplicates == 4)

        // "Restart": a new store on the same file, and the start-up delivery.
        let reopened = try SQLiteStore(path: temp.path("vdab.sqlite"))
        let delivery = BackOfficeDelivery(agency: .vdab, folder: temp.path("incoming"), formats: [.vacancy: "vdab"], catalog: Translation.catalog,
                                          taxonomy: Translation.taxonomy, ledger: reopened)
        #expect(try await delivery.deliverPending() == 1)
        #expect(try await delivery.deliverPending() == 0)   // nothing twice
        let files = try FileManager.default.contentsOfDirectory(atPath: temp.path("incoming"))
        #expect(files == ["forem-0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77.json"])
        let delivered = try Translation.records([UInt8](FileManager.default.contents(atPath: temp.path("incoming/" + files[0]))!), format: "vdab", .vacancy)
        #expect(delivered.map(\.id.rawValue) == ["FO-4481236", "FO-4481237", "FO-4481238", "FO-4481239"])
        #expect(delivered.allSatisfy { $0.owner == .forem })   // the header names the origin
    }

    @Test("only the records accepted in a batch are delivered")
    func acceptedOnly() async throws {
        let temp = TemporaryFolder()
        let store = try SQLiteStore(path: temp.path("vdab.sqlite"))
        _ = try await receiveOnly(store, try ReceivingFixture.batch())
        // A later batch with version 2 of one record and the others unchanged.
        let text = String(decoding: try ReceivingFixture.batch(batchId: "11111111-2222-4333-8444-555555555555"), as: UTF8.self)
            .replacingOccurrences(of: "\"value\":\"1\",\"schemeId\":\"version\"", with: "\"value\":\"9\",\"schemeId\":\"version\"")
        let r = try await receiveOnly(store, Array(text.utf8))
        #expect(r?.counts == .init(records: 4, accepted: 2, duplicates: 2, rejected: 0))   // the two version-1 records, now version 9
        let delivery = BackOfficeDelivery(agency: .vdab, folder: temp.path("in"), formats: [.vacancy: "forem"], catalog: Translation.catalog,
                                          taxonomy: Translation.taxonomy, ledger: store)
        _ = try await delivery.deliverPending()
        let second = temp.path("in/forem-11111111-2222-4333-8444-555555555555.xml")
        let records = try Translation.records([UInt8](FileManager.default.contents(atPath: second)!), format: "forem", .vacancy)
        #expect(records.count == r?.counts.accepted)
        #expect(records.allSatisfy { $0.version.rawValue == 9 })
    }

    @Test("a back office behind a URL gets each batch POSTed once it answers 2xx; until then the batch stays pending")
    func endpoint() async throws {
        let temp = TemporaryFolder()
        let store = try SQLiteStore(path: temp.path("vdab.sqlite"))
        _ = try await receiveOnly(store, try ReceivingFixture.batch())
        // A back office that is down for its first answer, then takes documents.
        let seen = Mutex<[(batch: String, sender: String, type: String, body: String)]>([])
        let router = Router()
        router.post("/intake") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            let first = seen.withLock { list in
                list.append((request.headers[.init("X-Gateway-Batch-Id")!] ?? "", request.headers[.init("X-Gateway-Sender")!] ?? "",
                             request.headers[.contentType] ?? "", String(buffer: body)))
                return list.count == 1
            }
            return Response(status: first ? .serviceUnavailable : .noContent)
        }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client async throws -> Void in
            let url = "http://127.0.0.1:\(client.port!)/intake"
            let delivery = BackOfficeDelivery(agency: .vdab, backOffice: .endpoint(url), formats: [.vacancy: "vdab"], catalog: Translation.catalog,
                                              taxonomy: Translation.taxonomy, ledger: store)
            await #expect(throws: GatewayError.self) { try await delivery.deliverPending() }
            #expect(try await store.pendingDeliveries().count == 1)   // not lost: tried again later
            #expect(try await delivery.deliverPending() == 1)
            #expect(try await delivery.deliverPending() == 0)   // and not twice
            #expect(try await store.pendingDeliveries().isEmpty)
        }
        let requests = seen.withLock { $0 }
        #expect(requests.count == 2)
        #expect(requests.allSatisfy { $0.batch == "0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77" && $0.sender == "FOREM" && $0.type == "application/json" })
        let records = try Translation.records(Array(requests[1].body.utf8), format: "vdab", .vacancy)
        #expect(records.map(\.id.rawValue) == ["FO-4481236", "FO-4481237", "FO-4481238", "FO-4481239"])
    }
}
