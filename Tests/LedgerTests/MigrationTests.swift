import Foundation
import GRDB
@testable import Ledger
import LedgerTestSupport
import Testing

@Suite("Migrations on a ledger that holds batches already", .bounded)
struct MigrationTests {
    @Test("0013 moves every batch's body out of the batch row, and the ledger reads them as before")
    func bodiesApart() async throws {
        let ledger = try await TestLedger(.sqlite)
        let path = ledger.folder + "/ledger.sqlite"
        // A ledger as the releases before 0013 left it: bodies in `batch.body`.
        let queue = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(queue, upTo: "0012-replica-leases")
        try await queue.write { db in
            for (id, direction, body) in [("sent", "out", "{\"sent\":1}"), ("got", "in", "{\"got\":2}")] {
                try db.execute(sql: """
                    INSERT INTO batch (batch_id, direction, peer, record_type, body_sha256, state, created_at, updated_at, body, body_form)
                    VALUES (?, ?, 'VDAB', 'vacancy', '', 'queued', '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z', ?, 'json')
                    """, arguments: [id, direction, Data(body.utf8)])
            }
        }
        try queue.close()
        let store = try SQLiteStore(path: path)
        #expect(try await store.payload(of: "sent", direction: .sent)?.bytes == Array("{\"sent\":1}".utf8))
        #expect(try await store.payload(of: "got", direction: .received)?.bytes == Array("{\"got\":2}".utf8))
        let columns = try await store.database.read { db in try db.columns(in: "batch").map(\.name) }
        #expect(!columns.contains("body") && columns.contains("body_form"))
        // A ledger made before keeps its pages (changing them takes a VACUUM, see the README).
        #expect(try await store.database.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } == 4096)
    }

    @Test("0016 names received batches by id and sender: the rows, records' outcomes, bodies and indexes of a ledger made before stay, in their order")
    func batchIdsPerSender() async throws {
        let ledger = try await TestLedger(.sqlite)
        let path = ledger.folder + "/ledger.sqlite"
        let queue = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(queue, upTo: "0015-superseded-notes")
        let indexesBefore = try await queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'batch' AND sql IS NOT NULL ORDER BY name") }
        try await queue.write { db in
            for (id, direction, state) in [("got", "in", "received"), ("sent", "out", "queued"), ("got-2", "in", "received")] {
                try db.execute(sql: """
                    INSERT INTO batch (batch_id, direction, peer, record_type, body_sha256, state, created_at, updated_at, body_form, record_count)
                    VALUES (?, ?, 'FOREM', 'vacancy', '', ?, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z', 'json', 2)
                    """, arguments: [id, direction, state])
                try db.execute(sql: "INSERT INTO batch_body (batch_id, direction, body) VALUES (?, ?, ?)", arguments: [id, direction, Data("{\"\(id)\":1}".utf8)])
            }
            try db.execute(sql: """
                INSERT INTO batch_record (batch_id, position, record_id, version, outcome, field, code, message)
                VALUES ('got', 0, 'FO-1', 1, 'accepted', NULL, NULL, NULL), ('got', 1, 'FO-2', NULL, 'rejected', 'occupation', 'UNKNOWN_OCCUPATION', 'no such fiche')
                """)
        }
        try queue.close()
        let store = try SQLiteStore(path: path)
        #expect(try await store.undeliveredBatches().map(\.batchId) == ["got", "got-2"])
        #expect(try await store.pendingDelivery("got", from: .forem)?.accepted == [0])
        #expect(try await store.pendingDelivery("got", from: .forem)?.body == Array("{\"got\":1}".utf8))
        #expect(try await store.batch("got")?.rejections.map(\.recordId) == ["FO-2"])
        #expect(try await store.payload(of: "sent", direction: .sent)?.bytes == Array("{\"sent\":1}".utf8))
        #expect(try await store.column("SELECT batch_id FROM batch ORDER BY rowid") == ["got", "sent", "got-2"])
        #expect(try await store.database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'batch' AND sql IS NOT NULL ORDER BY name")
        } == indexesBefore)
        #expect(try await store.database.read { db in try db.primaryKey("batch").columns } == ["batch_id", "direction", "peer"])
    }

    @Test("a new ledger is made with 16 KiB pages, in WAL")
    func newLedgerPages() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-pages-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore(path: folder + "/ledger.sqlite")
        #expect(try await store.database.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } == 16384)
        #expect(try await store.database.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
    }
}
