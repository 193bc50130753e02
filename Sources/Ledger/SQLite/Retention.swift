import Exchange
import Formats
import Foundation
import GRDB

/// Payload retention: the bodies of batches and the documents picked up are removed once older than
/// the configured days — unless something may still need them. Metadata (batches, records,
/// receipts, outcomes) stays for ever.
extension SQLiteStore {
    /// Notes that the peer's manifest holds these sent batches with the same body.
    public func markConfirmed(_ batchIds: [String], now: Date = Date()) throws {
        let at = TimestampPattern.rfc3339.write(now)
        try database.write { db in
            for id in batchIds {
                try db.execute(sql: "UPDATE batch SET confirmed_at = coalesce(confirmed_at, ?) WHERE batch_id = ? AND direction = 'out'", arguments: [at, id])
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
    public func prunePayloads(createdBefore cutoff: Date, now: Date = Date()) throws -> (batches: Int, documents: Int) {
        let before = TimestampPattern.rfc3339.write(cutoff), at = TimestampPattern.rfc3339.write(now)
        return try database.write { db in
            try db.execute(sql: """
                UPDATE batch SET body = NULL, payload_pruned_at = ?
                WHERE body IS NOT NULL AND created_at < ?
                  AND ((direction = 'in' AND delivered_at IS NOT NULL) OR (direction = 'out' AND state = 'delivered' AND confirmed_at IS NOT NULL))
                """, arguments: [at, before])
            let batches = db.changesCount
            try db.execute(sql: """
                UPDATE pickup SET document = NULL, payload_pruned_at = ?
                WHERE (document IS NOT NULL OR EXISTS (SELECT 1 FROM pickup_document d WHERE d.source = pickup.source AND d.sha256 = pickup.sha256))
                  AND picked_at < ? AND complete = 1
                  AND NOT EXISTS (
                    SELECT 1 FROM batch b WHERE b.direction = 'out' AND b.source = pickup.source AND b.source_sha256 = pickup.sha256
                      AND (b.state != 'delivered' OR b.confirmed_at IS NULL
                           OR (json_extract(b.receipt, '$.counts.rejected') > 0
                               AND NOT EXISTS (SELECT 1 FROM batch r WHERE r.resubmission_of = b.batch_id AND r.direction = 'out'))))
                """, arguments: [at, before])
            let documents = db.changesCount
            try db.execute(sql: """
                DELETE FROM pickup_document WHERE EXISTS (
                    SELECT 1 FROM pickup p WHERE p.source = pickup_document.source AND p.sha256 = pickup_document.sha256 AND p.payload_pruned_at IS NOT NULL)
                """)
            return (batches, documents)
        }
    }
}
