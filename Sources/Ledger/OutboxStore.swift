import ExchangeProtocol
import Foundation
import Model

/// A batch to send, as the dispatcher takes it from the outbox.
public struct OutgoingBatch: Sendable, Equatable {
    public var batchId: String
    public var peer: Agency
    public var recordType: RecordType
    public var body: [UInt8]
    public var form: BatchForm
    /// Attempts made, this one included.
    public var attempts: Int
    public var firstAttempt: Date
    /// SHA-256 of the body as the ledger holds it (lower-case hex), if known: what the request is
    /// signed with, so that a large body is not hashed again for every attempt.
    public var bodySha256: String?
    /// The records the body holds, if the ledger knows: a receipt must count as many.
    public var recordCount: Int?

    public init(batchId: String, peer: Agency, recordType: RecordType, body: [UInt8], form: BatchForm, attempts: Int, firstAttempt: Date,
                bodySha256: String? = nil, recordCount: Int? = nil) {
        self.bodySha256 = bodySha256
        self.recordCount = recordCount
        self.batchId = batchId
        self.peer = peer
        self.recordType = recordType
        self.body = body
        self.form = form
        self.attempts = attempts
        self.firstAttempt = firstAttempt
    }
}

/// Due times in the outbox: UTC with milliseconds, fixed width, so that text order is time order and
/// a back-off shorter than a second is not rounded away.
enum DueTime {
    static func string(_ date: Date) -> String {
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded())
        let whole = Date(timeIntervalSince1970: TimeInterval(milliseconds / 1000))
        let text = Instant.text(whole)   // yyyy-MM-ddTHH:mm:ssZ
        let fraction = String(milliseconds % 1000)
        return String(text.dropLast()) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction + "Z"
    }
}

/// What the dispatcher needs of a store: the outbox, whatever holds it (SQLite for one process,
/// PostgreSQL for several replicas sharing it).
public protocol OutboxStore: Sendable {
    /// Takes up to `limit` batches due by `now` for peers that are not paused, marking them
    /// `sending` under this process's lease (and taking over batches whose lease ran out).
    func claimDue(now: Date, limit: Int, peer: Agency?) async throws -> [OutgoingBatch]
    /// Records the outcome of attempt number `attempt` (and the attempt itself, with the answer).
    func record(_ step: NextStep, for batchId: String, attempt: Int, answer: String, now: Date) async throws
    /// Puts back, due now, what an earlier run of this replica left `sending`, and what a dead
    /// replica's lease no longer holds.
    func requeueInterrupted(now: Date) async throws -> Int
    /// Batches waiting (queued or being sent).
    func queuedCount() async throws -> Int
    /// The peers that have batches due by `now` (a batch for a peer without settings is failed by
    /// the dispatcher, not left waiting).
    func claimablePeers(now: Date) async throws -> [Agency]
}

/// What an attempt's outcome changes in a sent batch's row, whatever the store.
struct OutboxChange {
    /// The attempt's outcome as the attempt log keeps it: delivered, retry or failed.
    var outcome: String
    var state: BatchState
    var receipt: String?
    var lastAnswer: String
    var nextAttempt: String?

    init(_ step: NextStep, answer: String) throws {
        switch step {
        case .delivered(let receipt):
            (outcome, state, lastAnswer) = ("delivered", .delivered, answer)
            self.receipt = String(decoding: try WireJSON.encode(receipt), as: UTF8.self)
        case .retry(let next):
            (outcome, state, lastAnswer, nextAttempt) = ("retry", .queued, answer, DueTime.string(next))
        case .failed(let reason):
            (outcome, state, lastAnswer) = ("failed", .failed, reason)
        }
    }
}
