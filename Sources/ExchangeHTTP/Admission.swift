import ExchangeProtocol
import Model
import Synchronization

/// Decides whether a batch is taken now: at most `capacity` batches are received at once, at most
/// `perPeer` of them from any one peer (so that one peer — or whoever sends under its name without
/// its key — cannot take every place), and none once the gateway is shutting down. The protocol's
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
    }

    private struct State {
        var inFlight = 0
        var byPeer: [Agency: Int] = [:]
        var shuttingDown = false
    }

    public let capacity: Int
    /// The places one peer may hold at once.
    public let perPeer: Int
    /// Seconds a refused sender is asked to wait (`Retry-After`): when saturated, when shutting down.
    public let retryAfterSaturated: Int
    public let retryAfterShutdown: Int
    private let state = Mutex(State())

    /// - Parameter perPeer: the places one peer may hold; half the capacity (at least one) when nil.
    public init(capacity: Int = 16, perPeer: Int? = nil, retryAfterSaturated: Int = 1, retryAfterShutdown: Int = 30) {
        precondition(capacity > 0, "an admission takes at least one batch at a time")
        self.capacity = capacity
        self.perPeer = min(capacity, max(1, perPeer ?? capacity / 2))
        self.retryAfterSaturated = retryAfterSaturated
        self.retryAfterShutdown = retryAfterShutdown
    }

    /// Takes a place for one batch from `peer`, or says why not; a taken place is given back with
    /// `leave(peer)`.
    public func enter(_ peer: Agency) -> Refusal? {
        state.withLock { s in
            if s.shuttingDown { return .shuttingDown }
            guard s.inFlight < capacity else { return .saturated }
            guard s.byPeer[peer, default: 0] < perPeer else { return .peerSaturated }
            s.inFlight += 1
            s.byPeer[peer, default: 0] += 1
            return nil
        }
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
