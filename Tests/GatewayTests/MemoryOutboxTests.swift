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

/// An outbox in memory: the dispatcher's store protocol without a database.
final class MemoryOutbox: OutboxStore {
    struct Entry { var batch: OutgoingBatch; var state: String; var due: Date; var answers: [String] }
    let entries = Mutex<[String: Entry]>([:])

    func add(_ batch: OutgoingBatch, due: Date) { entries.withLock { $0[batch.batchId] = Entry(batch: batch, state: "queued", due: due, answers: []) } }

    func claimDue(now: Date, limit: Int, peer: Agency?) throws -> [OutgoingBatch] {
        entries.withLock { all in
            let due = all.values.filter { $0.state == "queued" && $0.due <= now && (peer == nil || $0.batch.peer == peer) }.sorted { $0.due < $1.due }.prefix(limit)
            return due.map { entry in
                var e = entry
                e.state = "sending"
                e.batch.attempts += 1
                all[e.batch.batchId] = e
                return e.batch
            }
        }
    }

    func record(_ step: NextStep, for batchId: String, attempt: Int, answer: String, now: Date) throws {
        entries.withLock { all in
            guard var e = all[batchId] else { return }
            e.answers.append(answer)
            switch step {
            case .delivered: e.state = "delivered"
            case .retry(let at): e.state = "queued"; e.due = at
            case .failed: e.state = "failed"
            }
            all[batchId] = e
        }
    }

    func requeueInterrupted(now: Date) throws -> Int {
        entries.withLock { all in
            var n = 0
            for (id, var e) in all where e.state == "sending" { e.state = "queued"; e.due = now; all[id] = e; n += 1 }
            return n
        }
    }

    func claimablePeers(now: Date) throws -> [Agency] {
        entries.withLock { Array(Set($0.values.filter { $0.state == "queued" && $0.due <= now }.map(\.batch.peer))) }
    }

    func queuedCount() throws -> Int { entries.withLock { $0.values.count { $0.state == "queued" || $0.state == "sending" } } }
}

@Suite("The dispatcher over an outbox in memory", .bounded)
struct MemoryOutboxTests {
    @Test("a 503 with Retry-After is retried no sooner than asked, then delivered; the same dispatcher code as over SQLite")
    func retryAfter() async throws {
        let outbox = MemoryOutbox()
        let now = Date()
        outbox.add(OutgoingBatch(batchId: "0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77", peer: .vdab, recordType: .vacancy, body: try ReceivingFixture.batch(),
                                 form: .json, attempts: 0, firstAttempt: now), due: now)
        // A peer that is shutting down at first, then takes batches.
        let f = ReceivingFixture()
        let admission = Admission(capacity: 4, retryAfterSaturated: 2, retryAfterShutdown: 7)
        admission.beginShutdown()
        let key = f.forem
        defer { withExtendedLifetime(f) {} }
        try await f.application(admission: admission).test(.live) { client async throws -> Void in
            let dispatcher = Dispatcher(agency: .forem, store: outbox, policy: RetryPolicy(firstDelay: 1, jitter: 0),
                                        peers: [.vdab: .init(url: "http://127.0.0.1:\(client.port!)", signer: key)])
            #expect(try await dispatcher.tick(now: now) == 1)
            let entry = try #require(outbox.entries.withLock { $0.values.first })
            #expect(entry.state == "queued" && entry.answers.first?.hasPrefix("503 ") == true)
            #expect(entry.due == now.addingTimeInterval(7))   // Retry-After, not the 1 s back-off
            #expect(try await dispatcher.tick(now: now.addingTimeInterval(6.9)) == 0)
        }
        // The same peer, up (a new server on the same ledger), takes it.
        try await f.application().test(.live) { client async throws -> Void in
            let dispatcher = Dispatcher(agency: .forem, store: outbox, policy: RetryPolicy(firstDelay: 1, jitter: 0),
                                        peers: [.vdab: .init(url: "http://127.0.0.1:\(client.port!)", signer: key)])
            #expect(try await dispatcher.tick(now: now.addingTimeInterval(7)) == 1)
        }
        #expect(outbox.entries.withLock { $0.values.first?.state } == "delivered")
        #expect(try outbox.queuedCount() == 0)
    }
}
