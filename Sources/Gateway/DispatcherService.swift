import Foundation
import Logging
import Model
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
        let requeued = try await dispatcher.store.requeueInterrupted(now: clock())
        if requeued > 0 { dispatcher.logger.notice("batches interrupted by the last stop are queued again", metadata: ["count": "\(requeued)"]) }
        // One lane per peer, each going on at once while it has work, else waiting `interval`: a
        // slow peer does not hold the others back.
        await withTaskGroup(of: Void.self) { group in
            for peer in dispatcher.peers.keys {
                group.addTask { await self.lane(peer) }
            }
            group.addTask { await self.unconfigured() }
        }
    }

    /// Batches queued for a peer this gateway has no URL or key for are failed for an operator.
    func unconfigured() async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                for peer in try await dispatcher.store.claimablePeers(now: clock()) where dispatcher.peers[peer] == nil {
                    try await dispatcher.tick(now: clock(), peer: peer)
                }
            } catch {
                dispatcher.logger.error("the outbox could not be read; retrying", metadata: ["error": "\(type(of: error))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    func lane(_ peer: Agency) async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var attempted = 0
            do {
                // One batch per claim: its lease then covers one attempt, which the configuration
                // makes shorter than the lease (`store.lease` > each peer's `limits.timeout`).
                attempted = try await dispatcher.tick(now: clock(), peer: peer, limit: 1)
            } catch {
                dispatcher.logger.error("the outbox could not be read; retrying", metadata: ["peer": "\(peer)", "error": "\(type(of: error))"])
            }
            if attempted == 0 { try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } }
        }
    }
}
