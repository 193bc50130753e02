import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Ledger
import LedgerTestSupport
import Model
import Testing

@Suite("Handing received batches to the back office (both stores)", .bounded)
struct DeliveryLedgerTests {
    @Test("a batch received is pending until marked delivered, with what the back office's format lost; its accepted records are known",
          arguments: LedgerKind.allCases)
    func pending(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        _ = try await store.receive(Received.batch("b1", [Received.vacancy("FO-1", version: 1), Received.rejected("FO-2"), Received.vacancy("FO-3", version: 1)]))
        #expect(try await store.undeliveredBatches().map(\.batchId) == ["b1"])
        let pending = try #require(try await store.pendingDelivery("b1", from: .forem))
        #expect(pending.accepted == [0, 2])
        #expect(pending.body == Array("body-1".utf8))
        #expect(try await store.pendingDeliveries().count == 1)
        #expect(try await store.isDelivered("b1", from: .forem) == false)
        let lost = [RecordLosses(index: 2, recordId: "FO-3", losses: ["title in fr written where the vdab format expects nl", "appellation '19475' not carried"])]
        #expect(try await store.batch("b1")?.deliveryLosses == [])
        try await store.markDelivered("b1", from: .forem, to: "/srv/incoming/forem-b1.xml", at: Received.t0, losses: lost)
        #expect(try await store.batch("b1")?.deliveryLosses == lost)
        #expect(try await store.isDelivered("b1", from: .forem))
        #expect(try await store.pendingDelivery("b1", from: .forem) == nil)
        #expect(try await store.undeliveredBatches().isEmpty)
        #expect(try await store.batch("b1")?.deliveredTo == "/srv/incoming/forem-b1.xml")
    }

    @Test("the replica that received a batch delivers it; another takes it only once that replica's lease has run out", arguments: LedgerKind.allCases)
    func claims(_ kind: LedgerKind) async throws {
        let ledger = try await TestLedger(kind)
        let a = try await ledger.open(replica: "a", lease: 30), b = try await ledger.open(replica: "b", lease: 30)
        _ = try await a.receive(Received.batch("b1", [Received.vacancy("FO-1", version: 1)]))
        #expect(try await b.claimDelivery("b1", from: .forem, now: Received.t0.addingTimeInterval(5)) == false)
        #expect(try await a.claimDelivery("b1", from: .forem, now: Received.t0.addingTimeInterval(5)))
        // a restarted (same name, new run) takes its own batch back at once.
        #expect(try await ledger.open(replica: "a", lease: 30).claimDelivery("b1", from: .forem, now: Received.t0.addingTimeInterval(6)))
        #expect(try await b.claimDelivery("b1", from: .forem, now: Received.t0.addingTimeInterval(60)))
        try await b.markDelivered("b1", from: .forem, to: "done", at: Received.t0.addingTimeInterval(61), losses: [])
        #expect(try await a.claimDelivery("b1", from: .forem, now: Received.t0.addingTimeInterval(200)) == false)   // delivered: nothing to claim
    }
}
