import ExchangeProtocol
import Foundation
import GRDB

/// Payload retention: the bodies of batches and the documents picked up are removed once older than
/// the configured days — unless something may still need them; finished batches' rows, and audit
/// entries, once older than their own periods. The records stay.
extension SQLiteStore {
    /// Notes that the peer's manifest holds these sent batches with the same body.
    public func markConfirmed(_ batchIds: [String], now: Date = Date()) async throws {
        let at = Instant.text(now)
        try await database.write { db in
            var start = 0
            while start < batchIds.count {
                let slice = Array(batchIds[start..<min(batchIds.count, start + 500)])
                start += slice.count
                try db.change(OperationsSQL.markConfirmed(slice, at: at))
            }
        }
    }

    /// Removes the payloads created before `cutoff` that nothing needs any more:
    /// - a received batch's body once its records are in the back office;
    /// - a sent batch's body once delivered and confirmed by a reconcile;
    /// - a picked-up document once every batch made of it is delivered and confirmed, and none has
    ///   rejected records waiting for a resubmission.
    /// Failed, queued, unconfirmed or unreconciled batches keep theirs, whatever their age.
    @discardableResult
    public func prunePayloads(createdBefore cutoff: Date, now: Date = Date()) async throws -> PruneReport {
        let before = Instant.text(cutoff), at = Instant.text(now)
        let prune = LedgerSchema.prune(.sqlite)
        return try await database.write { db in
            try db.execute(sql: prune.batches, arguments: [at, before])
            let batches = db.changesCount
            try db.execute(sql: prune.bodies)
            try db.execute(sql: prune.documents, arguments: [at, before])
            let documents = db.changesCount
            try db.execute(sql: prune.parts)
            return PruneReport(batches: batches, documents: documents)
        }
    }

    /// Removes the finished batches created before `cutoff`, with their records' outcomes, attempts
    /// and bodies (`OperationsSQL.pruneBatches`); how many batches.
    @discardableResult
    public func pruneBatches(createdBefore cutoff: Date) async throws -> Int {
        try await database.write { db in
            var batches = 0
            for statement in OperationsSQL.pruneBatches(before: Instant.text(cutoff), .sqlite) { batches = try db.change(statement) }
            return batches
        }
    }

    /// Removes the audit entries written before `cutoff`; how many.
    @discardableResult
    public func pruneAudit(before cutoff: Date) async throws -> Int {
        try await database.write { db in try db.change(OperationsSQL.pruneAudit(before: Instant.text(cutoff))) }
    }
}
