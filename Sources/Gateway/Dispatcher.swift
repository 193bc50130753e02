import ExchangeHTTP
import ExchangeProtocol
import Foundation
import Ledger
import Logging
import Model
import NIOSSL

/// Drains the outbox: takes the batches that are due, delivers each to its peer, and records what
/// the peer answered — delivered, retried later (back-off, `Retry-After`), or failed for an operator.
public struct Dispatcher: Sendable {
    public struct Peer: Sendable {
        public var url: String
        /// The pair's keys (us → peer): the one in force signs each call.
        public var keys: SigningKeys
        /// The peer's own limits (attempts, age, delays); the dispatcher's when nil.
        public var policy: RetryPolicy?
        /// The peer's own call timeout; the client's when nil.
        public var timeout: Duration?
        /// The CAs trusted for the peer and the client certificate shown to it (`tls:`); the
        /// client's defaults when nil.
        public var tls: TLSConfiguration?
        /// Whether the peer's 200 answers must be signed (`signedAnswers: required`, clarification
        /// 13): an unsigned or badly signed receipt is no receipt, an unsigned manifest no answer.
        public var signedAnswers: Bool
        public init(url: String, signer: RequestSignature, policy: RetryPolicy? = nil, timeout: Duration? = nil, signedAnswers: Bool = false) {
            self.init(url: url, keys: SigningKeys(current: signer), policy: policy, timeout: timeout, signedAnswers: signedAnswers)
        }
        public init(url: String, keys: SigningKeys, policy: RetryPolicy? = nil, timeout: Duration? = nil, tls: TLSConfiguration? = nil,
                    signedAnswers: Bool = false) {
            self.url = url
            self.keys = keys
            self.policy = policy
            self.timeout = timeout
            self.tls = tls
            self.signedAnswers = signedAnswers
        }
    }

    public let agency: Agency
    public let store: any OutboxStore
    public let client: PeerClient
    public let policy: RetryPolicy
    /// The peers in force (replaced when keys and certificates are read again).
    public let directory: Reloadable<[Agency: Peer]>
    public var peers: [Agency: Peer] { directory.value }
    public var logger: Logger
    public var observer: any ExchangeObserver

    public init(agency: Agency, store: any OutboxStore, client: PeerClient = PeerClient(), policy: RetryPolicy = RetryPolicy(),
                peers: [Agency: Peer], logger: Logger = Logger(label: "gateway.dispatcher"), observer: any ExchangeObserver = NoObserver()) {
        self.init(agency: agency, store: store, client: client, policy: policy, directory: Reloadable(peers), logger: logger, observer: observer)
    }

    public init(agency: Agency, store: any OutboxStore, client: PeerClient = PeerClient(), policy: RetryPolicy = RetryPolicy(),
                directory: Reloadable<[Agency: Peer]>, logger: Logger = Logger(label: "gateway.dispatcher"), observer: any ExchangeObserver = NoObserver()) {
        self.observer = observer
        self.agency = agency
        self.store = store
        self.client = client
        self.policy = policy
        self.directory = directory
        self.logger = logger
    }

    /// One pass: every batch due by `now` (up to `limit` per peer, or for `peer` alone) is attempted
    /// once. Each peer is a lane of its own: its batches go one after another, in the order they
    /// were queued (so that a record's versions arrive in order), while the lanes of different peers
    /// run at once. Returns how many batches were attempted.
    @discardableResult
    public func tick(now: Date = Date(), peer only: Agency? = nil, limit: Int = 16) async throws -> Int {
        var lanes = only.map { [$0] } ?? []
        if only == nil {
            let due = try await store.claimablePeers(now: now)
            lanes = Array(Set(peers.keys).union(due)).sorted { $0.rawValue < $1.rawValue }
        }
        let attempted = try await withThrowingTaskGroup(of: Int.self) { group in
            for peer in lanes {
                group.addTask { try await self.lane(peer, now: now, limit: limit) }
            }
            return try await group.reduce(0, +)
        }
        observer.outboxDepth(try await store.queuedCount())
        return attempted
    }

    /// One peer's due batches, one after another.
    func lane(_ peerAgency: Agency, now: Date, limit: Int) async throws -> Int {
        let due = try await store.claimDue(now: now, limit: limit, peer: peerAgency)
        let peers = self.peers   // the keys and certificates in force when the pass began
        var random = SystemRandomNumberGenerator()
        // A peer that could not be reached once in this pass is not waited for again: its other
        // batches are rescheduled with the same answer.
        var unreachable: String?
        for batch in due {
            var log = logger
            log[metadataKey: "batch"] = "\(batch.batchId)"
            log[metadataKey: "peer"] = "\(batch.peer)"
            var answer: PeerAnswer
            if let error = unreachable {
                answer = .transport("not attempted: \(batch.peer) was unreachable earlier in this pass (\(error))")
            } else if let peer = peers[batch.peer] {
                answer = await client.deliver(body: batch.body, form: batch.form, to: peer.url, as: agency, signer: peer.keys.signer(at: now), now: now,
                                              timeout: peer.timeout, bodySha256: batch.bodySha256, batchId: batch.batchId, recordCount: batch.recordCount,
                                              tls: peer.tls, signedAnswers: peer.signedAnswers)
                if case .transport(let error) = answer { unreachable = error }
            } else {
                answer = .status(0, body: "no URL and key configured for \(batch.peer)", retryAfter: nil)
            }
            let step = (peers[batch.peer]?.policy ?? policy).next(after: answer, attempts: batch.attempts, firstAttempt: batch.firstAttempt, now: now, random: &random)
            let summary: String
            switch answer {
            case .receipt(let r): summary = "200 \(r.result) \(r.counts.accepted)/\(r.counts.records) accepted"
            case .status(let code, let body, _): summary = "\(code) \(body.prefix(500))"
            case .notTheReceipt(let what): summary = "not this batch's receipt: \(what.prefix(500))"
            case .transport(let error): summary = error
            }
            try await store.record(step, for: batch.batchId, attempt: batch.attempts, answer: summary, now: now)
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
        return due.count
    }
}
