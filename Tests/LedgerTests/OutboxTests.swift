import Exchange
import Formats
import Foundation
import Model
import Testing
@testable import Ledger

@Suite("The outbox")
struct OutboxTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let receipt = Receipt(batchId: "b1", receiptId: "r", receivedAt: "", bodySha256: "", counts: .init(records: 1, accepted: 1, duplicates: 0, rejected: 0), rejected: [])

    @Test("queued, claimed once, retried when due, delivered, never claimed again")
    func lifecycle() async throws {
        let temp = TemporaryStore(), store = try SQLiteStore(path: temp.path)
        try store.enqueue(batchId: "b1", to: .vdab, recordType: .vacancy, body: Array("{}".utf8), form: .json, now: t0)
        let first = try await store.claimDue(now: t0)
        #expect(first.map(\.batchId) == ["b1"])
        #expect(first.first?.attempts == 1)
        #expect(try await store.claimDue(now: t0).isEmpty)   // taken: not handed to a second dispatcher
        try await store.record(.retry(at: t0.addingTimeInterval(10)), for: "b1", answer: "503", now: t0)
        #expect(try await store.claimDue(now: t0.addingTimeInterval(9)).isEmpty)
        let second = try await store.claimDue(now: t0.addingTimeInterval(10))
        #expect(second.first?.attempts == 2)
        #expect(second.first?.firstAttempt == t0)
        #expect(second.first?.body == Array("{}".utf8))
        try await store.record(.delivered(receipt), for: "b1", answer: "200", now: t0.addingTimeInterval(11))
        #expect(try store.outgoingState("b1")?.state == "delivered")
        #expect(try await store.claimDue(now: t0.addingTimeInterval(10_000)).isEmpty)
    }

    @Test("a failure keeps the last answer and is not retried")
    func failed() async throws {
        let temp = TemporaryStore(), store = try SQLiteStore(path: temp.path)
        try store.enqueue(batchId: "b2", to: .vdab, recordType: .trainee, body: [1], form: .xml, now: t0)
        _ = try await store.claimDue(now: t0)
        try await store.record(.failed("400 bad envelope (not retried)"), for: "b2", answer: "400", now: t0)
        #expect(try store.outgoingState("b2")?.state == "failed")
        #expect(try store.outgoingState("b2")?.lastAnswer == "400 bad envelope (not retried)")
        #expect(try await store.claimDue(now: t0.addingTimeInterval(10_000)).isEmpty)
    }

    @Test("after a crash, batches left sending are queued again, with the same id and body")
    func crash() async throws {
        let temp = TemporaryStore()
        let store = try SQLiteStore(path: temp.path)
        try store.enqueue(batchId: "b3", to: .forem, recordType: .vacancy, body: Array("body".utf8), form: .json, now: t0)
        _ = try await store.claimDue(now: t0)
        // The process dies here. A new one opens the same store:
        let restarted = try SQLiteStore(path: temp.path)
        #expect(try await restarted.requeueInterrupted(now: t0) == 1)
        let again = try await restarted.claimDue(now: t0)
        #expect(again.map(\.batchId) == ["b3"])
        #expect(again.first?.body == Array("body".utf8))
        #expect(again.first?.attempts == 2)
    }

    @Test("a paused peer's batches wait, and go when it is resumed")
    func pause() async throws {
        let temp = TemporaryStore(), store = try SQLiteStore(path: temp.path)
        try store.enqueue(batchId: "to-vdab", to: .vdab, recordType: .vacancy, body: [1], form: .json, now: t0)
        try store.enqueue(batchId: "to-adg", to: .adg, recordType: .vacancy, body: [2], form: .json, now: t0)
        try store.setPaused(true, peer: .vdab)
        #expect(try await store.claimDue(now: t0).map(\.batchId) == ["to-adg"])
        try store.setPaused(false, peer: .vdab)
        #expect(try await store.claimDue(now: t0).map(\.batchId) == ["to-vdab"])
    }
}

@Suite("Batch ids each way")
struct BatchIdTests {
    @Test("a peer sending a batch under one of our own batch ids does not touch ours")
    func sameIdBothWays() async throws {
        let temp = TemporaryStore(), store = try SQLiteStore(path: temp.path)
        try store.enqueue(batchId: "b1", to: .forem, recordType: .vacancy, body: [1], form: .json)
        let outcome = try await store.receive(Received.batch("b1", [Received.vacancy("FO-1", version: 1)]))
        guard case .stored = outcome else { Issue.record("\(outcome)"); return }
        #expect(try store.outgoingState("b1")?.state == "queued")
        #expect(try await store.receipt(ofReceived: "b1", from: .forem) != nil)
    }
}

@Suite("Due times")
struct DueTimeTests {
    @Test("a back-off of under a second is kept: a batch due in 300 ms is not due now")
    func subsecond() async throws {
        let temp = TemporaryStore(), store = try SQLiteStore(path: temp.path)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000.1)
        try store.enqueue(batchId: "b", to: .vdab, recordType: .vacancy, body: [1], form: .json, now: t0)
        _ = try await store.claimDue(now: t0)
        try await store.record(.retry(at: t0.addingTimeInterval(0.3)), for: "b", answer: "503", now: t0)
        #expect(try await store.claimDue(now: t0.addingTimeInterval(0.299)).isEmpty)
        #expect(try await store.claimDue(now: t0.addingTimeInterval(0.3)).count == 1)
    }
}
