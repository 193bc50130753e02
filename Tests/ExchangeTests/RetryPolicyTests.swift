import ExchangeHTTP
import ExchangeProtocol
import Foundation
import Testing

@Suite("Retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(firstDelay: 2, maximumDelay: 60, maximumAttempts: 5, maximumAge: 3600, jitter: 0.2)
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let receipt = Receipt(batchId: "b", receiptId: "r", receivedAt: "", bodySha256: "", counts: .init(records: 1, accepted: 1, duplicates: 0, rejected: 0), rejected: [])

    struct Fixed: RandomNumberGenerator { var value: UInt64; mutating func next() -> UInt64 { value } }

    @Test("delays double from the first, up to the maximum")
    func delays() {
        #expect((1...7).map { policy.delay(afterAttempts: $0) } == [2, 4, 8, 16, 32, 60, 60])
    }

    @Test("jitter stays within ±20 %, and varies")
    func jitter() {
        var random = SystemRandomNumberGenerator()
        var seen: Set<Int> = []
        for _ in 0..<200 {
            guard case .retry(let at) = policy.next(after: .transport("refused"), attempts: 3, firstAttempt: start, now: start, random: &random) else {
                Issue.record("not a retry"); return
            }
            let delay = at.timeIntervalSince(start)
            #expect(delay >= 8 * 0.8 && delay <= 8 * 1.2)
            seen.insert(Int(delay * 100))
        }
        #expect(seen.count > 10)
    }

    @Test("what is retried and what is not")
    func answers() {
        var r = Fixed(value: UInt64.max / 2)
        #expect(policy.next(after: .receipt(receipt), attempts: 1, firstAttempt: start, now: start, random: &r) == .delivered(receipt))
        // A redirect (not followed) and a 200 that is not the batch's receipt are failed attempts.
        for answer in [PeerAnswer.status(307, body: "a redirect to http://elsewhere, not followed", retryAfter: nil),
                       .status(301, body: "", retryAfter: nil), .status(308, body: "", retryAfter: nil),
                       .notTheReceipt("the peer answered a receipt of another batch (x, not b)")] {
            guard case .retry = policy.next(after: answer, attempts: 1, firstAttempt: start, now: start, random: &r) else {
                Issue.record("\(answer) not retried"); continue
            }
        }
        #expect(policy.next(after: .notTheReceipt("the peer answered a receipt of another batch (x, not b)"), attempts: 5, firstAttempt: start, now: start, random: &r)
                == .failed("5 attempts, the last answered: the peer answered a receipt of another batch (x, not b)"))
        for code in [429, 500, 502, 503] {
            guard case .retry = policy.next(after: .status(code, body: "", retryAfter: nil), attempts: 1, firstAttempt: start, now: start, random: &r) else {
                Issue.record("\(code) not retried"); continue
            }
        }
        for code in [400, 401, 403, 404, 409, 413, 415, 422] {
            guard case .failed(let reason) = policy.next(after: .status(code, body: "{\"title\":\"x\"}", retryAfter: nil), attempts: 1, firstAttempt: start, now: start, random: &r) else {
                Issue.record("\(code) retried"); continue
            }
            #expect(reason.hasPrefix("\(code) {\"title\":\"x\"}"))
        }
    }

    @Test("Retry-After is honoured when longer than the back-off")
    func retryAfter() {
        var r = Fixed(value: UInt64.max / 2)
        guard case .retry(let at) = policy.next(after: .status(503, body: "", retryAfter: 120), attempts: 1, firstAttempt: start, now: start, random: &r) else {
            Issue.record("not a retry"); return
        }
        #expect(at.timeIntervalSince(start) == 120)
    }

    @Test("the attempt and age limits end in failed, keeping the last answer")
    func limits() {
        var r = Fixed(value: UInt64.max / 2)
        #expect(policy.next(after: .transport("connection refused"), attempts: 5, firstAttempt: start, now: start, random: &r)
                == .failed("5 attempts, the last answered: connection refused"))
        guard case .failed(let reason) = policy.next(after: .status(503, body: "busy", retryAfter: nil), attempts: 2, firstAttempt: start,
                                                      now: start.addingTimeInterval(3599), random: &r) else { Issue.record("not failed"); return }
        #expect(reason.contains("older than 3600 s") && reason.contains("503 busy"))
    }
}
