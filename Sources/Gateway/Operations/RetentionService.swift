import Foundation
import Ledger
import Logging
import ServiceLifecycle

/// Every hour, removes the payloads older than `retention.payloadDays` that nothing needs any more
/// (see `LedgerStore.prunePayloads`), and the audit entries older than `retention.auditDays`.
public struct RetentionService: Service, CustomStringConvertible {
    public var description: String { "retention" }
    public let store: any LedgerStore
    /// nil: payloads are kept for ever.
    public let payloadDays: Int?
    public let auditDays: Int
    public let logger: Logger

    public init(store: any LedgerStore, payloadDays: Int?, auditDays: Int, logger: Logger) {
        self.store = store
        self.payloadDays = payloadDays
        self.auditDays = auditDays
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // nil: another replica is pruning this turn.
                let pruned = try await store.exclusively("retention") { [store, payloadDays, auditDays] in
                    let now = Date()
                    var payloads: PruneReport?
                    if let days = payloadDays { payloads = try await store.prunePayloads(createdBefore: now.addingTimeInterval(-Double(days) * 86_400), now: now) }
                    let audit = try await store.pruneAudit(before: now.addingTimeInterval(-Double(auditDays) * 86_400))
                    return (payloads, audit)
                }
                if let payloads = pruned?.0, payloads.batches + payloads.documents > 0 {
                    logger.info("payloads past retention removed", metadata: ["batches": "\(payloads.batches)", "documents": "\(payloads.documents)"])
                }
                if let audit = pruned?.1, audit > 0 {
                    logger.info("audit entries past retention removed", metadata: ["entries": "\(audit)", "days": "\(auditDays)"])
                }
            } catch {
                logger.error("retention failed; tried again in an hour", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}
