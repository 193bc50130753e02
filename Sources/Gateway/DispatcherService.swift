import Foundation
import Logging
import ServiceLifecycle

/// The dispatcher as a service of the running gateway: at start it puts back what a crash left
/// `sending`, then drains the outbox every `interval` until the gateway shuts down gracefully.
public struct DispatcherService: Service, CustomStringConvertible {
    public var description: String { "the outbox dispatcher" }
    public let dispatcher: Dispatcher
    public var interval: Duration
    public let clock: @Sendable () -> Date

    public init(dispatcher: Dispatcher, interval: Duration = .milliseconds(500), clock: @escaping @Sendable () -> Date = { Date() }) {
        self.dispatcher = dispatcher
        self.interval = interval
        self.clock = clock
    }

    public func run() async throws {
        let requeued = try dispatcher.store.requeueInterrupted(now: clock())
        if requeued > 0 { dispatcher.logger.notice("batches interrupted by the last stop are queued again", metadata: ["count": "\(requeued)"]) }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await dispatcher.tick(now: clock())
            } catch {
                dispatcher.logger.error("the outbox could not be read; retrying", metadata: ["error": "\(type(of: error))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
