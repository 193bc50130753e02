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
import Testing

/// Nothing dropped at delivery: a received record either reaches the agency's back office, in its
/// own format, with what that format loses of it listed in the batch's view, or it is rejected in
/// the receipt with its code. Each agency's back office gets a batch holding records its format
/// cannot hold (for ADG, a fiche without a ROME 4.0 code in the taxonomy in force) and records
/// it holds only with losses.
@Suite("Delivery to each agency's back office: every record delivered or rejected in the receipt, losses listed", .bounded)
struct DeliveryConformanceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var receiver: Agency
        var type: RecordType
        var sender: Agency
        var testDescription: String { "\(type.rawValue) from \(sender) to \(receiver)'s back office" }
    }

    static let cases: [Case] = [
        .init(receiver: .vdab, type: .vacancy, sender: .actiris), .init(receiver: .vdab, type: .trainee, sender: .forem),
        .init(receiver: .forem, type: .vacancy, sender: .actiris), .init(receiver: .forem, type: .trainee, sender: .adg),
        .init(receiver: .actiris, type: .vacancy, sender: .forem), .init(receiver: .adg, type: .vacancy, sender: .forem),
        .init(receiver: .adg, type: .trainee, sender: .forem), .init(receiver: .bf, type: .trainee, sender: .forem),
    ]

    /// The sender's fixture as one exchange batch for the receiver, plus a copy of its first record
    /// under a new id on fiche A1101 (in ROME v3, and without a ROME 4.0 code in the shipped taxonomy).
    static func batch(_ c: Case) throws -> [UInt8] {
        let file = Translation.fixtures["\(c.sender.rawValue.lowercased())/\(c.type.rawValue)"]!
        let (_, out) = try Translation.run(try Translation.fixture(file), from: c.sender.rawValue.lowercased(), to: "exchange-json", c.type, receiver: c.receiver)
        var value = try JSONParser(reader: ByteReader(bytes: out)).value()
        guard case .array(let records)? = value["records"], let first = records.first else { throw GatewayError("no record") }
        var copy = first
        if c.type == .vacancy {
            copy = try ProfileRuleTests.update(copy, ["documentId", "value"]) { _ in .string("A1101-COPY") }
            // Fiche, no appellation, source: all A1101.
            copy = try ProfileRuleTests.update(copy, ["positionProfiles", "0", "jobCategories"]) { _ in
                .array([.object([("id", .object([("value", .string("A1101")), ("schemeId", .string("ROME")), ("schemeVersionId", .string("3")),
                                                 ("schemeAgencyId", .string("FranceTravail"))]))]),
                        .object([("id", .object([("value", .string("A1101")), ("schemeId", .string("ROME")), ("schemeVersionId", .string("3")),
                                                 ("schemeAgencyId", .string(c.sender.rawValue))]))])])
            }
        } else {
            copy = try ProfileRuleTests.update(copy, ["recordId"]) { _ in .string("A1101-COPY") }
            copy = try ProfileRuleTests.update(copy, ["occupation"]) { _ in
                .object([("romeCode", .string("A1101")), ("source", .object([("scheme", .string("ROME")), ("version", .string("3")), ("code", .string("A1101"))]))])
            }
        }
        value = try ProfileRuleTests.update(value, ["records", "+"]) { _ in copy }
        return Array(ProfileRuleTests.text(value).utf8)
    }

    @Test("every record of the batch is in the back office's document or in the receipt's rejections, never neither", arguments: cases)
    func nothingDropped(_ c: Case) async throws {
        let temp = TemporaryFolder()
        let store = try SQLiteStore(path: temp.path("ledger.sqlite"))
        let format = c.receiver.rawValue.lowercased()
        let delivery = BackOfficeDelivery(agency: c.receiver, folder: temp.path("incoming"), formats: [c.type: format], catalog: Translation.catalog,
                                          taxonomy: Translation.taxonomy, ledger: store)
        let signer = RequestSignature(key: Array("pair-key".utf8))
        let router = Router()
        ReceivingGateway(agency: c.receiver, peers: [c.sender: .init(signature: signer)], store: store, taxonomy: Translation.taxonomy,
                         afterReceipt: { stored in _ = try? await delivery.deliver(stored) }, delivery: delivery)
            .addRoutes(to: router)
        let body = try Self.batch(c)
        let sent = try ExchangeFormat.readBatch(body, form: .json, taxonomy: Translation.taxonomy)
        #expect(sent.records.allSatisfy { $0.record != nil }, "the batch itself is valid")
        let ids = Set(sent.records.map(\.recordId))
        let text = try await Application(router: router).test(.router) { client in
            let response = try await client.execute(uri: "/exchange/v1/batches", method: .post,
                                                    headers: ReceivingFixture.headers(signer, as: c.sender.rawValue, body: body), body: ByteBuffer(bytes: body))
            return String(buffer: response.body)
        }
        let receipt = try JSONDecoder().decode(Receipt.self, from: Data(text.utf8))
        let rejected = Set(receipt.rejected.map(\.recordId))

        let files = try FileManager.default.contentsOfDirectory(atPath: temp.path("incoming"))
        #expect(files.count == 1, "\(files)")
        let document = try #require(FileManager.default.contents(atPath: temp.path("incoming/" + files[0])))
        let delivered = Set(try Translation.records([UInt8](document), format: format, c.type).map(\.id.rawValue))

        // A partition: delivered or rejected, not both, none missing; the receipt's counts agree.
        #expect(delivered.union(rejected) == ids, "missing: \(ids.subtracting(delivered.union(rejected)))")
        #expect(delivered.isDisjoint(with: rejected))
        #expect(receipt.counts.accepted == delivered.count && receipt.counts.rejected == rejected.count)
        #expect(try await store.isDelivered(receipt.batchId, from: c.sender))

        // ADG's format holds occupations as ROME 4.0 codes: A1101 has none in the taxonomy in force.
        if c.receiver == .adg {
            let refusal = try #require(receipt.rejected.first { $0.recordId == "A1101-COPY" })
            #expect(refusal.code == "UNKNOWN_OCCUPATION" && refusal.field == "occupation")
            #expect(refusal.message.contains("back office") && refusal.message.contains("ROME 4.0"), "\(refusal.message)")
        } else {
            #expect(delivered.contains("A1101-COPY"))
        }

        // What the format loses of each delivered record is in the batch's view, under its position, as the encoder says.
        let view = try #require(try await store.batch(receipt.batchId))
        let mapping = try #require(Translation.catalog.format(format, type: c.type) as? FormatMapping)
        for (index, decoded) in sent.records.enumerated() where delivered.contains(decoded.recordId) {
            let losses = RecordEncoder(mapping: mapping, taxonomy: Translation.taxonomy).encode(decoded.record!).losses
            let listed = view.deliveryLosses.first { $0.recordId == decoded.recordId }
            #expect(listed?.losses ?? [] == losses, "\(decoded.recordId)")
            if let listed { #expect(listed.index == index) }
        }
        #expect(!view.deliveryLosses.isEmpty, "every one of these flows loses something (a language, a scheme's name, a code written in another scheme)")
    }

    @Test("a record the back office's format no longer holds at delivery stops the delivery, which stays pending: it is not left out")
    func changedSinceTheReceipt() async throws {
        let temp = TemporaryFolder()
        let store = try SQLiteStore(path: temp.path("ledger.sqlite"))
        let c = Case(receiver: .adg, type: .vacancy, sender: .forem)
        let body = String(decoding: try Self.batch(c), as: UTF8.self)
        let batch = try ExchangeFormat.readBatch(Array(body.utf8), form: .json, taxonomy: Translation.taxonomy)
        // Received as a gateway without the screening would have taken it (e.g. before a mapping changed).
        _ = try await store.receive(IncomingBatch(batchId: batch.envelope["batchId"]!, sender: .forem, recordType: .vacancy, bodySha256: sha256Hex(Array(body.utf8)),
                                                  receivedAt: Date(), records: batch.records, body: Array(body.utf8)))
        let delivery = BackOfficeDelivery(agency: .adg, folder: temp.path("incoming"), formats: [.vacancy: "adg"], catalog: Translation.catalog,
                                          taxonomy: Translation.taxonomy, ledger: store)
        await #expect { _ = try await delivery.deliverPending() } throws: { "\($0)".contains("A1101-COPY") && "\($0)".contains("no longer fits") }
        #expect(try await store.pendingDeliveries().count == 1)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: temp.path("incoming"))) ?? []).filter { !$0.hasPrefix(".") }.isEmpty)
    }

    @Test("after a restart, a record accepted at its receipt that no longer reads stops the delivery, which stays pending: it is not left out")
    func noLongerReads() async throws {
        let temp = TemporaryFolder()
        let store = try SQLiteStore(path: temp.path("ledger.sqlite"))
        let c = Case(receiver: .vdab, type: .vacancy, sender: .forem)
        let body = try Self.batch(c)
        let batch = try ExchangeFormat.readBatch(body, form: .json, taxonomy: Translation.taxonomy)
        #expect(batch.records.allSatisfy { $0.record != nil })
        // The body as the ledger keeps it no longer reads in this gateway: its first record's pivot
        // is a fiche the taxonomy in force does not hold (as after a taxonomy import that lost it).
        var text = String(decoding: body, as: UTF8.self)
        let pivot = try #require(text.range(of: #"{"value":"H2913","schemeId":"ROME","schemeVersionId":"3","schemeAgencyId":"FranceTravail"}"#))
        text.replaceSubrange(pivot, with: #"{"value":"N9999","schemeId":"ROME","schemeVersionId":"3","schemeAgencyId":"FranceTravail"}"#)
        _ = try await store.receive(IncomingBatch(batchId: batch.envelope["batchId"]!, sender: .forem, recordType: .vacancy, bodySha256: sha256Hex(Array(text.utf8)),
                                                  receivedAt: Date(), records: batch.records, body: Array(text.utf8)))
        let delivery = BackOfficeDelivery(agency: .vdab, folder: temp.path("incoming"), formats: [.vacancy: "vdab"], catalog: Translation.catalog,
                                          taxonomy: Translation.taxonomy, ledger: store)
        await #expect { _ = try await delivery.deliverPending() } throws: {
            "\($0)".contains("FO-4481236") && "\($0)".contains("no longer reads") && "\($0)".contains("UNKNOWN_OCCUPATION")
        }
        #expect(try await store.pendingDeliveries().count == 1)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: temp.path("incoming"))) ?? []).filter { !$0.hasPrefix(".") }.isEmpty)
    }
}
