import Foundation
import Logging
import ServiceLifecycle

/// Runs the pick-up on its schedule until the gateway shuts down: once at start (catching up with
/// what was exported, or left half done, while the gateway was stopped), then at each scheduled time.
/// With several replicas on one ledger, one of them picks up at a time (`LedgerStore.exclusively`):
/// the others skip that turn; if the one picking up dies, the next turn elsewhere resumes its work.
public struct PickupService: Service, CustomStringConvertible {
    public var description: String { "the scheduled pick-up" }
    public let pickup: Pickup
    public let schedule: Schedule
    public let clock: @Sendable () -> Date

    public init(pickup: Pickup, schedule: Schedule, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.pickup = pickup
        self.schedule = schedule
        self.clock = clock
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let pickup = self.pickup, now = clock()
                if try await pickup.store.exclusively("pickup", { try await pickup.run(now: now).count }) == nil {
                    pickup.logger.debug("another replica is picking up; this one waits for the next turn")
                }
            } catch {
                pickup.logger.error("pick-up failed; tried again at the next scheduled time", metadata: ["error": "\(error)"])
            }
            let now = clock()
            let wait = max(0, schedule.next(after: now).timeIntervalSince(now))
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int64(wait * 1000))) }
        }
    }
}
