import Synchronization

/// Decides whether a batch is taken now: at most `capacity` batches are received at once, and none
/// once the gateway is shutting down. The protocol's answer to both is 429 or 503 with
/// `Retry-After`, which a sender honours and retries with the same batch.
public final class Admission: Sendable {
    public enum Refusal: Sendable, Equatable {
        case saturated
        case shuttingDown
    }

    private struct State {
        var inFlight = 0
        var shuttingDown = false
    }

    public let capacity: Int
    /// Seconds a refused sender is asked to wait (`Retry-After`): when saturated, when shutting down.
    public let retryAfterSaturated: Int
    public let retryAfterShutdown: Int
    private let state = Mutex(State())

    public init(capacity: Int = 16, retryAfterSaturated: Int = 2, retryAfterShutdown: Int = 30) {
        precondition(capacity > 0, "an admission takes at least one batch at a time")
        self.capacity = capacity
        self.retryAfterSaturated = retryAfterSaturated
        self.retryAfterShutdown = retryAfterShutdown
    }

    /// Takes a place for one batch, or says why not; a taken place is given back with `leave()`.
    public func enter() -> Refusal? {
        state.withLock { s in
            if s.shuttingDown { return .shuttingDown }
            guard s.inFlight < capacity else { return .saturated }
            s.inFlight += 1
            return nil
        }
    }

    public func leave() {
        state.withLock { $0.inFlight -= 1 }
    }

    /// From now on every new batch is refused with 503; those in flight finish.
    public func beginShutdown() {
        state.withLock { $0.shuttingDown = true }
    }

    public var inFlight: Int { state.withLock { $0.inFlight } }
}
