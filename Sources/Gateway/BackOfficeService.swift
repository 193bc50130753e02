import Foundation
import Logging
import ServiceLifecycle

/// Keeps the back office caught up: at start it clears what a crash cut short and delivers what a
/// previous run received but did not hand over; then, every `interval`, it tries again the batches
/// whose delivery failed (a back office that did not answer, a full disk) until they are delivered.
public struct BackOfficeService: Service, CustomStringConvertible {
    public var description: String { "the back-office delivery" }
    public let delivery: BackOfficeDelivery
    public var interval: Duration
    public var logger: Logger
    public let clock: @Sendable () -> Date

    public init(delivery: BackOfficeDelivery, interval: Duration = .seconds(5), clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.delivery = delivery
        self.clock = clock
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        delivery.clearInterruptedFiles()
        var failing = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let n = try await delivery.deliverPending(now: clock())
                if n > 0 { logger.info("delivered batches that were waiting for the back office", metadata: ["count": "\(n)"]) }
                if failing { logger.notice("the back office takes deliveries again") }
                failing = false
            } catch {
                if !failing { logger.error("delivery to the back office failed; it is tried again", metadata: ["error": "\(error)"]) }
                failing = true
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
        // Deliveries begun behind receipts finish before this service ends (one that a stop cuts
        // short anyway is made at the next start).
        await delivery.finishDeliveries()
    }
}

/// Turns the gateway's graceful shutdown into 503 answers for new batches while those in flight
/// finish (the protocol's "shutting down", with `Retry-After`).
public struct ShutdownNotice: Service, CustomStringConvertible {
    public var description: String { "the shutdown notice" }
    public let onShutdown: @Sendable () -> Void
    public init(onShutdown: @escaping @Sendable () -> Void) { self.onShutdown = onShutdown }

    public func run() async throws {
        try? await gracefulShutdown()
        onShutdown()
    }
}
