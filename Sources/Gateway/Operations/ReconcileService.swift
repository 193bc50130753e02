import Foundation
import Logging
import Model
import ServiceLifecycle

/// Reconciles with every peer this gateway sends to, every so often, over the last `window`; the
/// findings go to `/metrics` (`gateway_reconcile_batches`) and, when there are any, to the log.
/// It reports only: repairs are an operator's decision. With several replicas, one reconciles at a time.
public struct ReconcileService: Service, CustomStringConvertible {
    public var description: String { "the scheduled reconcile" }
    public let reconciliation: Reconciliation
    public let every: TimeInterval
    public let window: TimeInterval
    public let metrics: GatewayMetrics
    public let logger: Logger

    public init(reconciliation: Reconciliation, every: TimeInterval, window: TimeInterval, metrics: GatewayMetrics, logger: Logger) {
        self.reconciliation = reconciliation
        self.every = every
        self.window = window
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int64(every * 1000))) }
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
            do {
                if try await reconciliation.store.exclusively("reconcile", { await self.reconcileEveryPeer(); return true }) == nil {
                    logger.debug("another replica reconciles this turn")
                }
            } catch {
                logger.notice("reconcile not possible now", metadata: ["error": "\(error)"])
            }
        }
    }

    /// One turn: every peer sent to, over the last `window`.
    func reconcileEveryPeer() async {
        let now = Date()
        for peer in reconciliation.peers.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            do {
                let report = try await reconciliation.run(peer: peer, since: now.addingTimeInterval(-window), until: now, now: now)
                metrics.reconciled(with: peer, report)
                if report.findings > 0 {
                    logger.warning("reconcile found differences", metadata: ["peer": "\(peer)", "missingAtPeer": "\(report.missingAtPeer.count)",
                                                                            "digestMismatch": "\(report.digestMismatch.count)",
                                                                            "notDeliveredToBackOffice": "\(report.notDeliveredToBackOffice.count)"])
                }
            } catch {
                logger.notice("reconcile not possible now", metadata: ["peer": "\(peer)", "error": "\(error)"])
            }
        }
    }
}
