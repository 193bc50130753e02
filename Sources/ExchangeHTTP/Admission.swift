import ExchangeProtocol
import Model
import Synchronization

/// Decides whether a batch is taken now: at most `capacity` batches are received at once, at most
/// `perPeer` of them from any one peer (so that one peer — or whoever sends under its name without
/// its key — cannot take every place), each peer within its `quota` of batches and bytes a minute,
/// none while the disk holding the ledger is below its floor, and none once the gateway is
/// shutting down. The protocol's
/// answer to each is 429 or 503 with `Retry-After`, which a sender honours and retries with the same
/// batch. A place is taken only once the request's headers name a known peer and a timestamp inside
/// the window (`ReceivingGateway`), and held while the body is read, checked and stored.
public final class Admission: Sendable {
    public enum Refusal: Sendable, Equatable {
        /// Every place is taken.
        case saturated
        /// The peer's share of the places is taken.
        case peerSaturated
        case shuttingDown
        /// The peer's quota of batches or bytes a minute is used up.
        case overQuota(PeerQuota.Shortfall)
        /// The disk holding the ledger has less free than the floor (bytes free).
        case diskLow(free: Int64)
    }

    private struct State {
        var inFlight = 0
        var byPeer: [Agency: Int] = [:]
        var shuttingDown = false
        var buckets: [Agency: PeerQuota.Bucket] = [:]
        /// The free space last measured, and when (seconds on the monotonic clock).
        var free: (bytes: Int64, at: Double)?
    }

    /// What each peer may send in a minute (nil: no quota).
    public let quota: PeerQuota?
    /// The free space below which nothing is received, and how it is measured (bytes; nil: unknown).
    public let diskFloor: Int64
    let freeSpace: @Sendable () -> Int64?
    private let started = ContinuousClock.now

    public let capacity: Int
    /// The places one peer may hold at once.
    public let perPeer: Int
    /// Seconds a refused sender is asked to wait (`Retry-After`): when saturated, when shutting down.
    public let retryAfterSaturated: Int
    public let retryAfterShutdown: Int
    private let state = Mutex(State())

    /// - Parameter perPeer: the places one peer may hold; half the capacity (at least one) when nil.
    /// - Parameters:
    ///   - quota: what each peer may send in a minute (nil: no quota).
    ///   - diskFloor: the free bytes below which batches are answered 503, as `freeSpace` measures
    ///     them (at most once a second).
    public init(capacity: Int = 16, perPeer: Int? = nil, retryAfterSaturated: Int = 1, retryAfterShutdown: Int = 30,
                quota: PeerQuota? = nil, diskFloor: Int64 = 0, freeSpace: @escaping @Sendable () -> Int64? = { nil }) {
        precondition(capacity > 0, "an admission takes at least one batch at a time")
        self.quota = quota
        self.diskFloor = diskFloor
        self.freeSpace = freeSpace
        self.capacity = capacity
        self.perPeer = min(capacity, max(1, perPeer ?? capacity / 2))
        self.retryAfterSaturated = retryAfterSaturated
        self.retryAfterShutdown = retryAfterShutdown
    }

    /// Seconds since this admission began, on the monotonic clock.
    private var now: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Takes a place for one batch from `peer` whose body declares `bytes` (0: not said), or says
    /// why not; a taken place is given back with `leave(peer)`. `at` is for tests (seconds).
    public func enter(_ peer: Agency, bytes: Int = 0, at time: Double? = nil) -> Refusal? {
        let now = time ?? self.now
        let measured: Int64?? = diskFloor > 0 && state.withLock({ s in s.free.map { now - $0.at >= 1 } ?? true }) ? .some(freeSpace()) : .none
        return state.withLock { s in
            if s.shuttingDown { return .shuttingDown }
            if case .some(let free?) = measured { s.free = (free, now) }
            if diskFloor > 0, let free = s.free?.bytes, free < diskFloor { return .diskLow(free: free) }
            guard s.inFlight < capacity else { return .saturated }
            guard s.byPeer[peer, default: 0] < perPeer else { return .peerSaturated }
            if let quota {
                var bucket = s.buckets[peer] ?? quota.bucket(at: now)
                let shortfall = bucket.take(bytes: bytes, at: now, quota: quota)
                s.buckets[peer] = bucket
                if let shortfall { return .overQuota(shortfall) }
            }
            s.inFlight += 1
            s.byPeer[peer, default: 0] += 1
            return nil
        }
    }

    /// Charges a peer's quota with a body's bytes learnt once it was read (no Content-Length).
    public func charge(_ peer: Agency, bytes: Int) {
        guard let quota else { return }
        let now = self.now
        state.withLock { s in
            var bucket = s.buckets[peer] ?? quota.bucket(at: now)
            bucket.charge(bytes: bytes, at: now, quota: quota)
            s.buckets[peer] = bucket
        }
    }

    /// The free space where batches are written, measured now (nil: cannot be measured).
    public func measureFreeSpace() -> Int64? {
        let free = freeSpace(), now = self.now
        if let free { state.withLock { $0.free = (free, now) } }
        return free
    }

    public func leave(_ peer: Agency) {
        state.withLock { s in
            s.inFlight -= 1
            s.byPeer[peer, default: 1] -= 1
        }
    }

    /// From now on every new batch is refused with 503; those in flight finish.
    public func beginShutdown() {
        state.withLock { $0.shuttingDown = true }
    }

    public var inFlight: Int { state.withLock { $0.inFlight } }
}
