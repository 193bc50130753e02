import ExchangeHTTP
import ExchangeProtocol
import Formats
import Gateway
import Foundation
import Ledger
import LedgerTestSupport
import Model
import Statistics
import Testing

@Suite("The exchange's health, from the ledger (both stores)", .bounded)
struct HealthStatisticsTests {
    @Test("traffic per peer and day, rejections by code each way, delivery latency, retries, resubmissions, failures", arguments: LedgerKind.allCases)
    func report(_ kind: LedgerKind) async throws {
        let ledger = try await TestLedger(kind)
        let store = try await ledger.open()
        let t0 = Date(timeIntervalSince1970: 1_547_107_200)   // 2019-01-10T08:00:00Z
        // Sent: three batches to VDAB of 10 records each — one delivered after a retry (3 records refused),
        // one delivered at once, one failed; and a resubmission of the failed one, still queued.
        for (i, id) in ["s1", "s2", "s3"].enumerated() {
            try await store.enqueue(batchId: id, to: .vdab, recordType: .vacancy, body: Array(id.utf8), form: .json, resubmissionOf: nil,
                                    now: t0.addingTimeInterval(Double(i)))
        }
        let refused = (0..<3).map { Receipt.Rejection(index: $0, recordId: "FO-\($0)", field: "occupation", code: $0 == 0 ? "INVALID_VALUE" : "UNKNOWN_OCCUPATION", message: "") }
        func receipt(_ id: String, rejected: [Receipt.Rejection], after seconds: Double) -> Receipt {
            Receipt(batchId: id, receiptId: "r", receivedAt: Instant.text(t0.addingTimeInterval(seconds)), bodySha256: "",
                    counts: .init(records: 10, accepted: 10 - rejected.count, duplicates: 0, rejected: rejected.count), rejected: rejected)
        }
        _ = try await store.claimDue(now: t0.addingTimeInterval(5), limit: 16, peer: nil)
        try await store.record(.retry(at: t0.addingTimeInterval(10)), for: "s1", attempt: 1, answer: "503", now: t0.addingTimeInterval(5))
        try await store.record(.delivered(receipt("s2", rejected: [], after: 20)), for: "s2", attempt: 1, answer: "200", now: t0.addingTimeInterval(6))
        try await store.record(.failed("400"), for: "s3", attempt: 1, answer: "400", now: t0.addingTimeInterval(6))
        _ = try await store.claimDue(now: t0.addingTimeInterval(10), limit: 16, peer: nil)
        try await store.record(.delivered(receipt("s1", rejected: refused, after: 60)), for: "s1", attempt: 2, answer: "200", now: t0.addingTimeInterval(11))
        try await store.enqueue(batchId: "s3-again", to: .vdab, recordType: .vacancy, body: [1], form: .json, resubmissionOf: "s3", now: t0.addingTimeInterval(12))
        // Received from Le Forem on the next day: one batch, one record refused.
        _ = try await store.receive(IncomingBatch(batchId: "in-1", sender: .forem, recordType: .vacancy, bodySha256: "x", receivedAt: t0.addingTimeInterval(86_400),
                                                  records: [Received.vacancy("FO-1"), Decoded(recordId: "FO-2", record: nil, errors: [FieldError("occupation", .unknownOccupation, "no")])]))

        let report = try await HealthStatistics(store: store).answer(year: 2019, now: t0)
        #expect(report.traffic.map { "\($0.day) \($0.peer) \($0.direction) \($0.batches) \($0.records)" } == ["2019-01-10 VDAB out 4 0", "2019-01-11 FOREM in 1 2"])
        #expect(report.rejections.map { "\($0.direction) \($0.code) \($0.records)" } == ["in UNKNOWN_OCCUPATION 1", "out UNKNOWN_OCCUPATION 2", "out INVALID_VALUE 1"])
        #expect(report.rejections.first { $0.direction == "in" }?.rate == 0.5)
        #expect(report.deliveryLatency.batches == 2 && report.deliveryLatency.p50 == 19 && report.deliveryLatency.p99 == 60)
        #expect(report.retries == 1 && report.resubmissions == 1 && report.failedBatches == 1)
        #expect(try await HealthStatistics(store: store).answer(year: 2020, now: t0).traffic.isEmpty)
    }
}

private enum Received {
    static func vacancy(_ id: String) -> Decoded {
        var g = SyntheticRecords(seed: 3, taxonomy: Translation.taxonomy, year: 2019)
        return Decoded(recordId: id, record: .vacancy(g.vacancy(origin: .forem, id: id)), errors: [])
    }
}
