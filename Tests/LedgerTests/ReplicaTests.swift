import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Ledger
import LedgerTestSupport
import Model
import Synchronization
import Testing

@Suite("Several replicas on one ledger (both stores; SQLite with two handles on one file)", .bounded)
struct ReplicaTests {
    @Test("replicas receiving overlapping batches at once store each version once, and the counts agree with the rows", arguments: LedgerKind.allCases)
    func overlappingReceives(_ kind: LedgerKind) async throws {
        let ledger = try await TestLedger(kind)
        let replicas = [try await ledger.open(replica: "a"), try await ledger.open(replica: "b")]
        // 40 batches of 30 records drawn from 50 records with 3 versions each; every batch is sent to
        // both replicas at once (a sender retrying through a load balancer), under the same id.
        var batches: [IncomingBatch] = []
        var random = SystemRandomNumberGenerator()
        for b in 0..<40 {
            let records = (0..<30).map { _ in Received.vacancy("FO-\(Int.random(in: 0..<50, using: &random))", version: Int.random(in: 1...3, using: &random)) }
            batches.append(Received.batch("batch-\(b)", body: "body-\(b)", records))
        }
        let outcomes = try await withThrowingTaskGroup(of: (String, ReceiveOutcome).self) { group in
            for batch in batches {
                for store in replicas { group.addTask { (batch.batchId, try await store.receive(batch)) } }
            }
            return try await group.reduce(into: [String: [ReceiveOutcome]]()) { $0[$1.0, default: []].append($1.1) }
        }
        for (id, pair) in outcomes {
            #expect(pair.count == 2)
            let stored = pair.filter { if case .stored = $0 { true } else { false } }
            #expect(stored.count == 1, "batch \(id) stored \(stored.count) times")
            #expect(receipt(pair[0]) == receipt(pair[1]), "batch \(id): both answers carry the same receipt")
        }
        let store = replicas[0]
        #expect(try await store.count("SELECT COUNT(*) FROM batch WHERE direction = 'in'") == 40)
        #expect(try await store.count("SELECT COUNT(*) FROM batch_record") == 40 * 30)
        // Every version stored once, and accepted exactly once.
        let versions = try await store.count("SELECT COUNT(*) FROM record")
        #expect(try await store.count("SELECT COUNT(*) FROM batch_record WHERE outcome = 'accepted'") == versions)
        #expect(try await store.count("SELECT COUNT(*) FROM (SELECT origin, record_id, version FROM record GROUP BY origin, record_id, version) v") == versions)
        // The statistics rows and monthly counts agree with the record rows.
        #expect(try await store.count("SELECT COUNT(*) FROM received_record") == store.count("SELECT COUNT(DISTINCT record_id) FROM record"))
        #expect(try await store.count("SELECT SUM(records) FROM flow_month") == store.count("SELECT COUNT(*) FROM received_record"))
        #expect(try await store.count("SELECT SUM(messages) FROM flow_month")
                == store.count("SELECT COUNT(*) FROM batch_record WHERE outcome IN ('accepted', 'duplicate')"))
        #expect(try await store.count("""
            SELECT COUNT(*) FROM received_record r WHERE r.version <> (SELECT MAX(version) FROM record x WHERE x.origin = r.origin AND x.record_id = r.record_id)
            """) == 0)
    }

    @Test("replicas starting at once on a new ledger migrate it once", arguments: LedgerKind.allCases)
    func concurrentMigrations(_ kind: LedgerKind) async throws {
        let ledger = try await TestLedger(kind)
        let opened = try await withThrowingTaskGroup(of: [String].self) { group in
            for r in 0..<4 { group.addTask { try await ledger.open(replica: "r\(r)").appliedMigrations() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(opened.count == 4)
        #expect(Set(opened.map { $0.joined(separator: ",") }).count == 1)
        #expect(opened.first?.last == "0016-batch-ids-per-sender")
    }

    @Test("a scheduled job runs on one replica at a time (PostgreSQL); one process always runs it (SQLite)", arguments: LedgerKind.allCases)
    func exclusiveJobs(_ kind: LedgerKind) async throws {
        let ledger = try await TestLedger(kind)
        let a = try await ledger.open(replica: "a"), b = try await ledger.open(replica: "b")
        let (inside, entered) = AsyncStream<Void>.makeStream()
        let (released, release) = AsyncStream<Void>.makeStream()
        let running = Task {
            try await a.exclusively("pickup") {
                entered.yield()
                try await released.next(within: .seconds(60), "the test's release of replica a's job")
                return "a"
            }
        }
        try await inside.next(within: .seconds(30), "replica a inside its job")
        let meanwhile = try await b.exclusively("pickup") { "b" }
        let other = try await b.exclusively("reconcile") { "b" }
        release.yield()
        #expect(try await running.value == "a")
        #expect(other == "b")   // another job is not held back
        #expect(meanwhile == (kind == .postgres ? nil : "b"))
        #expect(try await b.exclusively("pickup") { "b" } == "b")   // a is done: b may run it
    }
}

@Suite("SQLite and PostgreSQL agree", .bounded)
struct StoresAgreeTests {
    @Test("the same generated ledger gives the same statistics tables in both stores")
    func sameFill() async throws {
        let sqlite = try await TestLedger(.sqlite).open(), postgres = try await TestLedger(.postgres).open()
        for store in [sqlite, postgres] { try await store.fillForBenchmark(rows: 6_000, firstYear: 2015, years: 10) }
        for query in ["SELECT record_type, month, origin, sender, records, messages FROM flow_month ORDER BY 1, 2, 3, 4",
                      "SELECT origin, record_id, record_type, first_received_at, version, fiche, status, referring_agency FROM received_record ORDER BY 1, 2",
                      "SELECT batch_id, peer, created_at, record_count FROM batch ORDER BY batch_id"] {
            let expected = try await sqlite.rows(query, [])
            #expect(expected.count > 0)
            #expect(try await postgres.rows(query, []) == expected, "\(query)")
        }
    }

    @Test("a query's values read as text alike: numbers, NULL, sums")
    func textValues() async throws {
        for kind in LedgerKind.allCases {
            let store = try await TestLedger(kind).open()
            _ = try await store.receive(Received.batch("b1", [Received.vacancy("FO-1", version: 1)]))
            let row = try await store.rows("SELECT version, region, scheme, SUM(version) OVER (), COUNT(*) OVER () FROM record WHERE origin = ?", ["FOREM"])
            #expect(row == [["1", "WALLONIA", nil, "1", "1"]], "\(kind)")
        }
    }
}
