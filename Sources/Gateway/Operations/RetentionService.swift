import Foundation
import Ledger
import Logging
import ServiceLifecycle

/// Removes payloads older than the configured days, every hour (see `LedgerStore.prunePayloads`).
public struct RetentionService: Service, CustomStringConvertible {
    public var description: String { "payload retention" }
    public let store: any LedgerStore
    public let days: Int
    public let logger: Logger

    public init(store: any LedgerStore, days: Int, logger: Logger) {
        self.store = store
        self.days = days
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // nil: another replica is pruning this turn.
                let pruned = try await store.exclusively("retention") { [store, days] in
                    try await store.prunePayloads(createdBefore: Date().addingTimeInterval(-Double(days) * 86_400), now: Date())
                }
                if let pruned, pruned.batches + pruned.documents > 0 {
                    logger.info("payloads past retention removed", metadata: ["batches": "\(pruned.batches)", "documents": "\(pruned.documents)"])
                }
            } catch {
                logger.error("payload retention failed; tried again in an hour", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}
