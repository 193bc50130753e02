import Foundation
import Synchronization

/// A clock set to a chosen instant, which then runs at the wall clock's pace: the synthetic year's
/// gateways live on the 15th of each month of 2019 in turn, and their retries and signature
/// windows still see time pass.
public final class SetClock: Sendable {
    private let state: Mutex<(base: Date, since: ContinuousClock.Instant)>

    public init(_ date: Date) { state = Mutex((date, ContinuousClock.now)) }

    public func set(_ date: Date) { state.withLock { $0 = (date, ContinuousClock.now) } }

    public func now() -> Date {
        state.withLock { state in
            let elapsed = ContinuousClock.now - state.since
            return state.base.addingTimeInterval(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
    }
}
