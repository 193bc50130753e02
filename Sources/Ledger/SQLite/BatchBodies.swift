import Foundation
import GRDB
import Model

/// Batches' bodies, in a table of their own beside `batch` (migration 0013): a look at a batch's
/// state never reads its body. A body is named as its batch is: id, direction and peer (the
/// sender of a batch received, the receiver of one sent; migration 0016).
enum BatchBodies {
    /// Stores a body, sealed if it holds personal data (`PayloadSealing`); a plain one is bound as
    /// it is (no copy of several megabytes into a `Data` first).
    static func insert(_ batchId: String, direction: BatchDirection, peer: String, body: [UInt8], recordType: RecordType, key: PayloadKey?, in db: Database) throws {
        let statement = try db.cachedStatement(sql: "INSERT INTO batch_body (batch_id, direction, peer, body) VALUES (?, ?, ?, ?)")
        if PayloadSealing.seals(recordType, key: key) {
            try statement.execute(arguments: [batchId, direction.rawValue, peer,
                                              try PayloadSealing.seal(body, recordType: recordType, key: key, at: .batch(id: batchId, direction: direction))])
        } else {
            try statement.run(in: db) { b in b.text(batchId); b.text(direction.rawValue); b.text(peer); b.blob(body) }
        }
    }

    /// The stored (maybe sealed) body; nil when there is none (pruned, or no such batch).
    static func fetch(_ batchId: String, direction: BatchDirection, peer: String, in db: Database) throws -> Data? {
        try Data.fetchOne(db.cachedStatement(sql: "SELECT body FROM batch_body WHERE batch_id = ? AND direction = ? AND peer = ?"),
                          arguments: [batchId, direction.rawValue, peer])
    }
}
