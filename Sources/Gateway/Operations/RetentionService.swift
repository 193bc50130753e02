import Foundation
import Ledger
import Logging
import ServiceLifecycle

/// Every hour, removes the payloads older than `retention.payloadDays` that nothing needs any more
/// (see `LedgerStore.prunePayloads`), the finished batches' rows older than `retention.batchDays`
/// (`LedgerStore.pruneBatches`), and the audit entries older than `retention.auditDays`.
public struct RetentionService: Service, CustomStringConvertible {
    public var description: String { "retention" }
    public let store: any LedgerStore
    public let payloadDays: Int
    public let batchDays: Int
    public let auditDays: Int
    public let clock: @Sendable () -> Date
    public let logger: Logger

    public init(store: any LedgerStore, payloadDays: Int, batchDays: Int, auditDays: Int, clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.store = store
        self.payloadDays = payloadDays
        self.batchDays = batchDays
        self.auditDays = auditDays
        self.clock = clock
        self.logger = logger
    }

    /// One pass, unless another replica is making it (nil): what was removed.
    public func prune() async throws -> (payloads: PruneReport, batches: Int, audit: Int)? {
        try await store.exclusively("retention") { [store, payloadDays, batchDays, auditDays, clock] in
            let now = clock()
            func before(_ days: Int) -> Date { now.addingTimeInterval(-Double(days) * 86_400) }
            let payloads = try await store.prunePayloads(createdBefore: before(payloadDays), now: now)
            let batches = try await store.pruneBatches(createdBefore: before(batchDays))
            let audit = try await store.pruneAudit(before: before(auditDays))
            return (payloads, batches, audit)
        }
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if let pruned = try await prune() {
                    if pruned.payloads.batches + pruned.payloads.documents > 0 {
                        logger.info("payloads past retention removed", metadata: [
                            "batches": "\(pruned.payloads.batches)", "documents": "\(pruned.payloads.documents)", "days": "\(payloadDays)"])
                    }
                    if pruned.batches > 0 {
                        logger.info("finished batches past retention removed", metadata: ["batches": "\(pruned.batches)", "days": "\(batchDays)"])
                    }
                    if pruned.audit > 0 {
                        logger.info("audit entries past retention removed", metadata: ["entries": "\(pruned.audit)", "days": "\(auditDays)"])
                    }
                }
            } catch {
                logger.error("retention failed; tried again in an hour", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}
