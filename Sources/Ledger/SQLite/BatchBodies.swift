import Foundation
import GRDB

/// Batches' bodies, in a table of their own beside `batch` (migration 0013): a look at a batch's
/// state never reads its body.
enum BatchBodies {
    static func insert(_ batchId: String, direction: String, body: Data, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO batch_body (batch_id, direction, body) VALUES (?, ?, ?)").execute(arguments: [batchId, direction, body])
    }

    /// The stored (maybe sealed) body; nil when there is none (pruned, or no such batch).
    static func fetch(_ batchId: String, direction: String, in db: Database) throws -> Data? {
        try Data.fetchOne(db.cachedStatement(sql: "SELECT body FROM batch_body WHERE batch_id = ? AND direction = ?"), arguments: [batchId, direction])
    }
}
