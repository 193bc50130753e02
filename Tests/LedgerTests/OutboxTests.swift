import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Ledger
import LedgerTestSupport
import Model
import Testing

@Suite("The outbox (both stores)", .bounded)
struct OutboxTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let receipt = Receipt(batchId: "b1", receiptId: "r", receivedAt: "", bodySha256: "", counts: .init(records: 1, accepted: 1, duplicates: 0, rejected: 0), rejected: [])

    @Test("queued, claimed once, retried when due, delivered, never claimed again", arguments: LedgerKind.allCases)
    func lifecycle(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        try await store.enqueue(batchId: "b1", to: .vdab, recordType: .vacancy, body: Array("{}".utf8), form: .json, resubmissionOf: nil, now: t0)
        let first = try await store.claimDue(now: t0, limit: 16, peer: nil)
        #expect(first.map(\.batchId) == ["b1"])
        #expect(first.first?.attempts == 1)
        #expect(try await store.claimDue(now: t0, limit: 16, peer: nil).isEmpty)   // taken: not handed to a second dispatcher
        try await store.record(.retry(at: t0.addingTimeInterval(10)), for: "b1", attempt: 1, answer: "503", now: t0)
        #expect(try await store.claimDue(now: t0.addingTimeInterval(9), limit: 16, peer: nil).isEmpty)
        let second = try await store.claimDue(now: t0.addingTimeInterval(10), limit: 16, peer: nil)
        #expect(second.first?.attempts == 2)
        #expect(second.first?.firstAttempt == t0)
        #expect(second.first?.body == Array("{}".utf8))
        try await store.record(.delivered(receipt), for: "b1", attempt: 2, answer: "200", now: t0.addingTimeInterval(11))
        #expect(try await store.outgoingState("b1")?.state == .delivered)
        #expect(try await store.claimDue(now: t0.addingTimeInterval(10_000), limit: 16, peer: nil).isEmpty)
        #expect(try await store.batch("b1")?.attempts.map(\.outcome) == ["retry", "delivered"])
        #expect(try await store.queuedCount() == 0)
    }

    @Test("a failure keeps the last answer and is not retried", arguments: LedgerKind.allCases)
    func failed(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        try await store.enqueue(batchId: "b2", to: .vdab, recordType: .trainee, body: [1], form: .xml, resubmissionOf: nil, now: t0)
        _ = try await store.claimDue(now: t0, limit: 16, peer: nil)
        try await store.record(.failed("400 bad envelope (not retried)"), for: "b2", attempt: 1, answer: "400", now: t0)
        #expect(try await store.outgoingState("b2")?.state == .failed)
        #expect(try await store.outgoingState("b2")?.lastAnswer == "400 bad envelope (not retried)")
        #expect(try await store.claimDue(now: t0.addingTimeInterval(10_000), limit: 16, peer: nil).isEmpty)
    }

    @Test("after a crash, the same replica puts what it was sending back in the queue, with the same id and body", arguments: LedgerKind.allCases)
    func crash(_ kind: LedgerKind) async throws {
        let ledger = try await TestLedger(kind)
        let store = try await ledger.open(replica: "a")
        try await store.enqueue(batchId: "b3", to: .forem, recordType: .vacancy, body: Array("body".utf8), form: .json, resubmissionOf: nil, now: t0)
        _ = try await store.claimDue(now: t0, limit: 16, peer: nil)
        // The process dies here. The same replica starts again, at once (its lease has not run out):
        let restarted = try await ledger.open(replica: "a")
        #expect(try await restarted.requeueInterrupted(now: t0) == 1)
        let again = try await restarted.claimDue(now: t0, limit: 16, peer: nil)
        #expect(again.map(\.batchId) == ["b3"])
        #expect(again.first?.body == Array("body".utf8))
        #expect(again.first?.attempts == 2)
    }

    @Test("a dead replica's batches are left alone while its lease holds, then taken over by another", arguments: LedgerKind.allCases)
    func takeover(_ kind: LedgerKind) async throws {
        let ledger = try await TestLedger(kind)
        let a = try await ledger.open(replica: "a", lease: 30), b = try await ledger.open(replica: "b", lease: 30)
        try await a.enqueue(batchId: "x1", to: .vdab, recordType: .vacancy, body: [1], form: .json, resubmissionOf: nil, now: t0)
        try await a.enqueue(batchId: "x2", to: .vdab, recordType: .vacancy, body: [2], form: .json, resubmissionOf: nil, now: t0.addingTimeInterval(1))
        let firstClaim = try await a.claimDue(now: t0.addingTimeInterval(1), limit: 1, peer: .vdab)
        #expect(firstClaim.map(\.batchId) == ["x1"])
        // While a sends x1 to VDAB, b leaves VDAB alone (its batches go in order, from one sender).
        #expect(try await b.claimDue(now: t0.addingTimeInterval(2), limit: 16, peer: .vdab).isEmpty)
        #expect(try await b.requeueInterrupted(now: t0.addingTimeInterval(2)) == 0)   // another replica's live lease
        // a dies. Once its lease has run out, b takes x1 over first, then x2.
        #expect(try await b.claimDue(now: t0.addingTimeInterval(30), limit: 16, peer: .vdab).isEmpty)
        let taken = try await b.claimDue(now: t0.addingTimeInterval(32), limit: 16, peer: .vdab)
        #expect(taken.map(\.batchId) == ["x1", "x2"])
        #expect(taken.first?.attempts == 2)
        // a's late answer (it was not dead after all) keeps only a receipt: the batch is delivered whoever sent it.
        try await a.record(.retry(at: t0.addingTimeInterval(60)), for: "x1", attempt: 1, answer: "503", now: t0.addingTimeInterval(33))
        #expect(try await b.outgoingState("x1")?.state == .sending)
        try await a.record(.delivered(receipt), for: "x1", attempt: 1, answer: "200 stored", now: t0.addingTimeInterval(33))
        #expect(try await b.outgoingState("x1")?.state == .delivered)
        try await b.record(.delivered(receipt), for: "x1", attempt: 2, answer: "200 replayed", now: t0.addingTimeInterval(34))
        let attempts = try await b.batch("x1")?.attempts ?? []
        #expect(attempts.map(\.answer) == ["200 stored", "200 replayed"])
        #expect(try await b.rows("SELECT substr(replica, 1, 2) FROM attempt WHERE batch_id = 'x1' ORDER BY attempt", []) == [["a#"], ["b#"]])
    }

    @Test("two replicas claiming at once never take the same batch", arguments: LedgerKind.allCases)
    func concurrentClaims(_ kind: LedgerKind) async throws {
        let ledger = try await TestLedger(kind)
        let replicas = [try await ledger.open(replica: "a"), try await ledger.open(replica: "b")]
        let peers: [Agency] = [.vdab, .actiris, .adg, .bf]
        for i in 0..<40 {
            try await replicas[0].enqueue(batchId: "c\(i)", to: peers[i % 4], recordType: .vacancy, body: [UInt8(i)], form: .json, resubmissionOf: nil, now: t0)
        }
        let receipt = self.receipt
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for (r, store) in replicas.enumerated() {
                group.addTask {
                    var mine: [String] = []
                    for round in 0..<30 {
                        for batch in try await store.claimDue(now: t0.addingTimeInterval(Double(round)), limit: 3, peer: nil) {
                            mine.append(batch.batchId)
                            try await store.record(.delivered(receipt), for: batch.batchId, attempt: batch.attempts, answer: "200 by \(r)", now: t0)
                        }
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(claimed.count == 40)
        #expect(Set(claimed).count == 40)
        #expect(try await replicas[1].count("SELECT COUNT(*) FROM attempt") == 40)
    }

    @Test("a paused peer's batches wait, and go when it is resumed", arguments: LedgerKind.allCases)
    func pause(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        try await store.enqueue(batchId: "to-vdab", to: .vdab, recordType: .vacancy, body: [1], form: .json, resubmissionOf: nil, now: t0)
        try await store.enqueue(batchId: "to-adg", to: .adg, recordType: .vacancy, body: [2], form: .json, resubmissionOf: nil, now: t0)
        try await store.setPaused(true, peer: .vdab)
        #expect(try await store.claimablePeers(now: t0).sorted { $0.rawValue < $1.rawValue } == [.adg, .vdab])
        #expect(try await store.claimDue(now: t0, limit: 16, peer: nil).map(\.batchId) == ["to-adg"])
        try await store.setPaused(false, peer: .vdab)
        #expect(try await store.claimDue(now: t0, limit: 16, peer: nil).map(\.batchId) == ["to-vdab"])
    }

    @Test("a back-off of under a second is kept: a batch due in 300 ms is not due now", arguments: LedgerKind.allCases)
    func subsecond(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000.1)
        try await store.enqueue(batchId: "b", to: .vdab, recordType: .vacancy, body: [1], form: .json, resubmissionOf: nil, now: t0)
        _ = try await store.claimDue(now: t0, limit: 16, peer: nil)
        try await store.record(.retry(at: t0.addingTimeInterval(0.3)), for: "b", attempt: 1, answer: "503", now: t0)
        #expect(try await store.claimDue(now: t0.addingTimeInterval(0.299), limit: 16, peer: nil).isEmpty)
        #expect(try await store.claimDue(now: t0.addingTimeInterval(0.3), limit: 16, peer: nil).count == 1)
    }
}
