import Foundation
import Logging
import ServiceLifecycle

/// Runs the pick-up on its schedule until the gateway shuts down: once at start (catching up with
/// what was exported, or left half done, while the gateway was stopped), then at each scheduled time.
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
                try await pickup.run(now: clock())
            } catch {
                pickup.logger.error("pick-up failed; tried again at the next scheduled time", metadata: ["error": "\(error)"])
            }
            let now = clock()
            let wait = max(0, schedule.next(after: now).timeIntervalSince(now))
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int64(wait * 1000))) }
        }
    }
}
