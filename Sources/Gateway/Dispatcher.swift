import Exchange
import Foundation
import Ledger
import Logging
import Model

/// Drains the outbox: takes the batches that are due, delivers each to its peer, and records what
/// the peer answered — delivered, retried later (back-off, `Retry-After`), or failed for an operator.
public struct Dispatcher: Sendable {
    public struct Peer: Sendable {
        public var url: String
        public var signer: RequestSignature
        /// The peer's own limits (attempts, age, delays); the dispatcher's when nil.
        public var policy: RetryPolicy?
        /// The peer's own call timeout; the client's when nil.
        public var timeout: Duration?
        public init(url: String, signer: RequestSignature, policy: RetryPolicy? = nil, timeout: Duration? = nil) {
            self.url = url
            self.signer = signer
            self.policy = policy
            self.timeout = timeout
        }
    }

    public let agency: Agency
    public let store: any OutboxStore
    public let client: PeerClient
    public let policy: RetryPolicy
    public var peers: [Agency: Peer]
    public var logger: Logger
    public var observer: any ExchangeObserver

    public init(agency: Agency, store: any OutboxStore, client: PeerClient = PeerClient(), policy: RetryPolicy = RetryPolicy(),
                peers: [Agency: Peer], logger: Logger = Logger(label: "gateway.dispatcher"), observer: any ExchangeObserver = NoObserver()) {
        self.observer = observer
        self.agency = agency
        self.store = store
        self.client = client
        self.policy = policy
        self.peers = peers
        self.logger = logger
    }

    /// One pass: every batch due by `now` is attempted once. Returns how many were attempted.
    @discardableResult
    public func tick(now: Date = Date()) async throws -> Int {
        let due = try store.claimDue(now: now, limit: 16)
        var random = SystemRandomNumberGenerator()
        // A peer that could not be reached once in this pass is not waited for again: its other
        // batches are rescheduled with the same answer.
        var unreachable: [Agency: String] = [:]
        for batch in due {
            var log = logger
            log[metadataKey: "batch"] = "\(batch.batchId)"
            log[metadataKey: "peer"] = "\(batch.peer)"
            var answer: PeerAnswer
            if let error = unreachable[batch.peer] {
                answer = .transport("not attempted: \(batch.peer) was unreachable earlier in this pass (\(error))")
            } else if let peer = peers[batch.peer] {
                answer = await client.deliver(body: batch.body, form: batch.form, to: peer.url, as: agency, signer: peer.signer, now: now,
                                              timeout: peer.timeout)
                if case .transport(let error) = answer { unreachable[batch.peer] = error }
            } else {
                answer = .status(0, body: "no URL and key configured for \(batch.peer)", retryAfter: nil)
            }
            let step = (peers[batch.peer]?.policy ?? policy).next(after: answer, attempts: batch.attempts, firstAttempt: batch.firstAttempt, now: now, random: &random)
            let summary: String
            switch answer {
            case .receipt(let r): summary = "200 \(r.result) \(r.counts.accepted)/\(r.counts.records) accepted"
            case .status(let code, let body, _): summary = "\(code) \(body.prefix(500))"
            case .transport(let error): summary = error
            }
            try store.record(step, for: batch.batchId, answer: summary, now: now)
            switch step {
            case .delivered:
                log.info("batch delivered", metadata: ["attempt": "\(batch.attempts)"])
                observer.batchSent(to: batch.peer, type: batch.recordType, result: "delivered",
                                   waited: .milliseconds(Int64(max(0, now.timeIntervalSince(batch.firstAttempt)) * 1000)))
            case .retry(let at):
                log.notice("batch not delivered, retried later", metadata: ["attempt": "\(batch.attempts)", "next": "\(at)"])
                observer.batchSent(to: batch.peer, type: batch.recordType, result: "retried", waited: nil)
            case .failed:
                log.error("batch failed, waiting for an operator", metadata: ["attempt": "\(batch.attempts)"])
                observer.batchSent(to: batch.peer, type: batch.recordType, result: "failed", waited: nil)
            }
        }
        observer.outboxDepth(try store.queuedCount())
        return due.count
    }
}
