import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Ledger
import LedgerTestSupport
import Model
import Testing

@Suite("Receiving batches into the ledger: idempotency, versions, receipts (both stores)", .bounded)
struct ReceiveTests {
    @Test("a new batch is stored and answered with its counts and rejections", arguments: LedgerKind.allCases)
    func stored(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        let outcome = try await store.receive(Received.batch("b1", [Received.vacancy("FO-1", version: 1), Received.rejected("FO-2")]))
        guard case .stored(let r, let accepted) = outcome else { Issue.record("not stored: \(outcome)"); return }
        #expect(accepted == [0])
        #expect(r.counts == .init(records: 2, accepted: 1, duplicates: 0, rejected: 1))
        #expect(r.result == "partiallyFailed")
        #expect(r.rejected == [.init(index: 1, recordId: "FO-2", field: "occupation", code: "UNKNOWN_OCCUPATION", message: "ROME fiche Z9999 does not exist in ROME v3")])
        #expect(r.bodySha256 == sha256Hex(Array("body-1".utf8)))
        #expect(try await store.receipt(ofReceived: "b1", from: .forem) == r)
        #expect(try await store.receipt(ofReceived: "b1", from: .actiris) == nil)
    }

    @Test("the same batch again gets the same receipt and stores nothing twice, also after a restart; another body is a conflict",
          arguments: LedgerKind.allCases)
    func replay(_ kind: LedgerKind) async throws {
        let ledger = try await TestLedger(kind)
        let first = try await ledger.open().receive(Received.batch("b1", [Received.vacancy("FO-1", version: 1)]))
        let reopened = try await ledger.open()
        let again = try await reopened.receive(Received.batch("b1", [Received.vacancy("FO-1", version: 1)]))
        #expect(again == .replayed(receipt(first)!))
        #expect(try await reopened.receive(Received.batch("b1", body: "body-2", [Received.vacancy("FO-1", version: 1)])) == .conflict)
        #expect(try await reopened.count("SELECT COUNT(*) FROM record") == 1)
        #expect(try await reopened.count("SELECT COUNT(*) FROM batch_record") == 1)
    }

    @Test("batch ids are the sender's: another peer posting under Le Forem's id stores a batch of its own (no 409 tells it the id exists), and each sender's replay, conflict, delivery, view and body are its own",
          arguments: LedgerKind.allCases)
    func batchIdsPerSender(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        let forem = try await store.receive(Received.batch("b1", [Received.vacancy("FO-1", version: 1)]))
        let actirisBatch = IncomingBatch(batchId: "b1", sender: .actiris, recordType: .vacancy, bodySha256: sha256Hex(Array("other".utf8)),
                                         receivedAt: Received.t0.addingTimeInterval(1), records: [Received.vacancy("AC-1", version: 1, origin: .actiris), Received.rejected("AC-2")],
                                         body: Array("other".utf8))
        let actiris = try await store.receive(actirisBatch)
        guard case .stored(let actirisReceipt, _) = actiris else { Issue.record("Actiris's batch under Le Forem's id not stored: \(actiris)"); return }
        #expect(actirisReceipt.counts == .init(records: 2, accepted: 1, duplicates: 0, rejected: 1))
        #expect(try await store.receive(actirisBatch) == .replayed(actirisReceipt))
        #expect(try await store.receive(Received.batch("b1", [Received.vacancy("FO-1", version: 1)])) == .replayed(receipt(forem)!))
        #expect(try await store.receive(Received.batch("b1", body: "body-2", [Received.vacancy("FO-1", version: 1)])) == .conflict)
        #expect(try await store.receipt(ofReceived: "b1", from: .forem) == receipt(forem))
        #expect(try await store.receipt(ofReceived: "b1", from: .actiris) == actirisReceipt)
        #expect(try await store.undeliveredBatches().map(\.sender) == [.forem, .actiris])
        #expect(try await store.pendingDelivery("b1", from: .actiris)?.accepted == [0])
        #expect(try await store.pendingDelivery("b1", from: .forem)?.body == Array("body-1".utf8))
        try await store.markDelivered("b1", from: .actiris, to: "done", at: Received.t0, losses: [])
        #expect(try await store.isDelivered("b1", from: .actiris))
        #expect(try await store.isDelivered("b1", from: .forem) == false)
        #expect(try await store.batch("b1", peer: .actiris)?.rejections.map(\.recordId) == ["AC-2"])
        #expect(try await store.batch("b1", peer: .forem)?.rejections == [])
        #expect(try await store.batch("b1")?.summary.peer == "FOREM", "without a peer, the batch stored first")
        #expect(try await store.payload(of: "b1", direction: .received, peer: .actiris)?.bytes == Array("other".utf8))
        #expect(try await store.history(origin: .actiris, recordId: "AC-2").received.count == 1)
        #expect(try await store.history(origin: .forem, recordId: "AC-2").received.isEmpty)
    }

    @Test("a batch of records all held already keeps no body (re-sent under new batch ids, it fills nothing) and has nothing to deliver; one with a new record keeps its own",
          arguments: LedgerKind.allCases)
    func duplicatesKeepNoBody(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        _ = try await store.receive(Received.batch("b1", [Received.vacancy("FO-1", version: 1), Received.vacancy("FO-2", version: 1)]))
        for n in 2...4 {
            let again = try await store.receive(Received.batch("b\(n)", body: "body-\(n)", [Received.vacancy("FO-1", version: 1), Received.vacancy("FO-2", version: 1)]))
            #expect(receipt(again)?.counts == .init(records: 2, accepted: 0, duplicates: 2, rejected: 0))
        }
        #expect(try await store.count("SELECT COUNT(*) FROM batch_body WHERE direction = 'in'") == 1)
        #expect(try await store.payload(of: "b3", direction: .received) == nil)
        #expect(try await store.payload(of: "b1", direction: .received) != nil)
        #expect(try await store.column("SELECT state FROM batch WHERE batch_id = 'b3'") == ["delivered"])
        #expect(try await store.undeliveredBatches().map(\.batchId) == ["b1"], "the duplicates are nothing to deliver")
        // The receipt of a batch of duplicates is still answered, again and again.
        #expect(try await store.receipt(ofReceived: "b3", from: .forem)?.counts.duplicates == 2)
        let mixed = try await store.receive(Received.batch("b5", body: "body-5", [Received.vacancy("FO-1", version: 1), Received.vacancy("FO-3", version: 1)]))
        #expect(receipt(mixed)?.counts.accepted == 1)
        #expect(try await store.payload(of: "b5", direction: .received) != nil)
    }

    @Test("record versions across batches and within one: new, duplicate, conflict, stale", arguments: LedgerKind.allCases)
    func versions(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        _ = try await store.receive(Received.batch("b1", [Received.vacancy("FO-1", version: 2)]))
        let outcome = try await store.receive(Received.batch("b2", body: "body-2", [
            Received.vacancy("FO-1", version: 2),                       // same content: duplicate
            Received.vacancy("FO-1", version: 3),                       // new version
            Received.vacancy("FO-1", version: 3, title: "Soudeur"),     // same version, other content
            Received.vacancy("FO-1", version: 1),                       // lower than held
            Received.vacancy("FO-9", version: 7),                       // another record
            Received.vacancy("FO-9", version: 7),                       // the batch's own earlier version again
        ]))
        let r = try #require(receipt(outcome))
        #expect(r.counts == .init(records: 6, accepted: 2, duplicates: 2, rejected: 2))
        #expect(r.rejected.map(\.index) == [2, 3])
        #expect(r.rejected.map(\.code) == ["VERSION_CONFLICT", "STALE_VERSION"])
        #expect(r.rejected.allSatisfy { $0.field == "version" })
        #expect(try await store.column("SELECT version FROM record WHERE record_id = 'FO-1' ORDER BY version") == ["2", "3"])
        #expect(try await store.column("SELECT outcome FROM batch_record WHERE batch_id = 'b2' ORDER BY position")
                == ["duplicate", "accepted", "rejected", "rejected", "accepted", "duplicate"])
        // One statistics row per record, at its latest version, first received with the first batch.
        #expect(try await store.rows("SELECT record_id, version FROM received_record ORDER BY record_id", []) == [["FO-1", "3"], ["FO-9", "7"]])
        // Monthly counts: 2 records; messages = accepted + duplicates of the three batches' versions.
        #expect(try await store.rows("SELECT month, origin, sender, records, messages FROM flow_month", []) == [["2026-11", "FOREM", "FOREM", "2", "5"]])
    }

    /// One row of the protocol's version rule: what the ledger received before (each a batch of its
    /// own: version and title), then one batch, and the outcome of each of its records.
    struct VersionRow: Sendable, CustomTestStringConvertible {
        var name: String
        var before: [(Int, String)]
        var batch: [(Int, String)]
        var outcomes: [String]
        var testDescription: String { name }
    }

    static let versionRows: [VersionRow] = [
        .init(name: "nothing held: accepted", before: [], batch: [(1, "a")], outcomes: ["accepted"]),
        .init(name: "a higher version than held: accepted", before: [(2, "a")], batch: [(3, "b")], outcomes: ["accepted"]),
        .init(name: "the held version, same content: duplicate", before: [(2, "a")], batch: [(2, "a")], outcomes: ["duplicate"]),
        .init(name: "the held version, other content: VERSION_CONFLICT", before: [(2, "a")], batch: [(2, "b")], outcomes: ["VERSION_CONFLICT"]),
        .init(name: "a lower version, other content: STALE_VERSION", before: [(2, "a")], batch: [(1, "b")], outcomes: ["STALE_VERSION"]),
        .init(name: "a lower version equal to an older one received: STALE_VERSION, not a duplicate", before: [(1, "a"), (2, "b")], batch: [(1, "a")],
              outcomes: ["STALE_VERSION"]),
        .init(name: "a lower version equal to the held content: STALE_VERSION, not a conflict", before: [(2, "a")], batch: [(1, "a")], outcomes: ["STALE_VERSION"]),
        .init(name: "one batch, two versions in order: both accepted", before: [], batch: [(3, "a"), (4, "b")], outcomes: ["accepted", "accepted"]),
        .init(name: "one batch, a version then a lower one: accepted, STALE_VERSION", before: [], batch: [(4, "b"), (3, "a")], outcomes: ["accepted", "STALE_VERSION"]),
        .init(name: "one batch, one version twice: accepted, duplicate", before: [(1, "a")], batch: [(2, "b"), (2, "b")], outcomes: ["accepted", "duplicate"]),
        .init(name: "one batch, one version twice with other content: accepted, VERSION_CONFLICT", before: [], batch: [(2, "a"), (2, "b")],
              outcomes: ["accepted", "VERSION_CONFLICT"]),
        .init(name: "one batch, the held version again after a higher one: accepted, STALE_VERSION", before: [(2, "a")], batch: [(3, "b"), (2, "a")],
              outcomes: ["accepted", "STALE_VERSION"]),
    ]

    @Test("a note for staff on an accepted record is kept with its row and in its history, never in the receipt (clarification 6)",
          arguments: LedgerKind.allCases)
    func noted(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        var noted = Received.vacancy("FO-1", version: 1)
        noted.notes = [FieldError("occupationSource", .occupationMismatch, "this gateway's table resolves ROME 4.0 M1811 to fiche M1802; the origin sent M1805, which is kept")]
        let r = try #require(receipt(try await store.receive(Received.batch("b1", [noted, Received.vacancy("FO-2", version: 1)]))))
        #expect(r.counts == .init(records: 2, accepted: 2, duplicates: 0, rejected: 0) && r.rejected.isEmpty)
        #expect(try await store.rows("SELECT record_id, outcome, field, code FROM batch_record WHERE batch_id = 'b1' ORDER BY position", [])
                == [["FO-1", "accepted", "occupationSource", "OCCUPATION_MISMATCH"], ["FO-2", "accepted", nil, nil]])
        let history = try await store.history(origin: .forem, recordId: "FO-1").received
        #expect(history.map { "\($0.outcome) \($0.code ?? "") \($0.message ?? "")" }
                == ["accepted OCCUPATION_MISMATCH this gateway's table resolves ROME 4.0 M1811 to fiche M1802; the origin sent M1805, which is kept"])
        // A batch view lists rejections only: the note is not one.
        #expect(try await store.batch("b1")?.rejections.isEmpty == true)
    }

    @Test("every row of the version rule, decided against the latest version held", arguments: LedgerKind.allCases, versionRows)
    func versionRule(_ kind: LedgerKind, _ row: VersionRow) async throws {
        let store = try await TestLedger(kind).open()
        for (i, (version, title)) in row.before.enumerated() {
            _ = try await store.receive(Received.batch("before-\(i)", body: "before-\(i)", [Received.vacancy("FO-1", version: version, title: title)]))
        }
        let r = try #require(receipt(try await store.receive(Received.batch("b", body: "b", row.batch.map { Received.vacancy("FO-1", version: $0.0, title: $0.1) }))))
        let refused = row.outcomes.filter { $0 != "accepted" && $0 != "duplicate" }
        #expect(r.counts == .init(records: row.batch.count, accepted: row.outcomes.count { $0 == "accepted" },
                                  duplicates: row.outcomes.count { $0 == "duplicate" }, rejected: refused.count))
        #expect(r.rejected.map(\.code) == refused)
        #expect(try await store.column("SELECT outcome || coalesce(':' || code, '') FROM batch_record WHERE batch_id = 'b' ORDER BY position")
                == row.outcomes.map { refused.contains($0) ? "rejected:\($0)" : $0 })
        #expect(r.rejected.allSatisfy { $0.field == "version" })
        // The statistics row holds the highest version accepted.
        let highest = (row.before.map(\.0) + zip(row.batch, row.outcomes).filter { $0.1 == "accepted" }.map(\.0.0)).max()
        #expect(try await store.column("SELECT version FROM received_record WHERE record_id = 'FO-1'") == [String(highest!)])
    }

    @Test("statistics fields are stored with each record, and no personal data", arguments: LedgerKind.allCases)
    func fields(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        _ = try await store.receive(Received.batch("b1", [Received.vacancy("FO-1", version: 1)]))
        let row = try await store.rows("SELECT fiche, domain, region, contract, bottleneck, event_date, status FROM record", [])
        #expect(row == [["H2913", "H29", "WALLONIA", "PERMANENT", "1", "2026-11-02", "OPEN"]])
    }

    @Test("a peer sending a batch under one of our own batch ids does not touch ours", arguments: LedgerKind.allCases)
    func sameIdBothWays(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        try await store.enqueue(batchId: "b1", to: .forem, recordType: .vacancy, body: [1], form: .json)
        let outcome = try await store.receive(Received.batch("b1", [Received.vacancy("FO-1", version: 1)]))
        guard case .stored = outcome else { Issue.record("\(outcome)"); return }
        #expect(try await store.outgoingState("b1")?.state == .queued)
        #expect(try await store.receipt(ofReceived: "b1", from: .forem) != nil)
    }

    @Test("the manifest lists what a sender's batches became, in a window", arguments: LedgerKind.allCases)
    func manifest(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        _ = try await store.receive(Received.batch("early", at: Received.t0, [Received.vacancy("FO-1", version: 1)]))
        _ = try await store.receive(Received.batch("late", body: "body-2", at: Received.t0.addingTimeInterval(3600), [Received.vacancy("FO-2", version: 1)]))
        let all = try await store.manifest(from: .forem, since: Received.t0, until: Received.t0.addingTimeInterval(3601))
        #expect(all.map(\.batchId) == ["early", "late"])
        // At or after `since`, before `until`.
        #expect(try await store.manifest(from: .forem, since: Received.t0, until: Received.t0.addingTimeInterval(3600)).map(\.batchId) == ["early"])
        #expect(all.first?.bodySha256 == sha256Hex(Array("body-1".utf8)))
        #expect(try await store.manifest(from: .forem, since: Received.t0.addingTimeInterval(1), until: Received.t0.addingTimeInterval(7200)).map(\.batchId) == ["late"])
        #expect(try await store.manifest(from: .vdab, since: Received.t0, until: Received.t0.addingTimeInterval(7200)).isEmpty)
    }

    @Test("a trainee record updated to another referring agency moves its monthly count; persons are keyed", arguments: LedgerKind.allCases)
    func traineeFlows(_ kind: LedgerKind) async throws {
        let key = try PayloadKey(material: Array(String(repeating: "k", count: 40).utf8))
        let store = try await TestLedger(kind, payloadKey: key).open()
        func trainee(_ version: Int, referring: Agency) -> Decoded {
            let t = TraineeRecord(id: try! RecordID("TR-1"), version: try! RecordVersion(version), referringAgency: referring, trainingAgency: .forem,
                                  person: Person(nationalNumber: try! NationalNumber("85073003328"), lastName: "Peeters", firstName: "An",
                                                 birthDate: CalendarDate(year: 1985, month: 7, day: 30)!, gender: .female),
                                  scheme: TraineeScheme(type: .inCompany, nativeName: "PFI"),
                                  occupation: Occupation(fiche: FicheCode(rawValue: "H2913")!, source: OccupationSource(scheme: .rome, version: "3", code: "H2913")),
                                  employer: nil,
                                  period: TrainingPeriod(start: CalendarDate(year: 2026, month: 10, day: 1)!, plannedEnd: CalendarDate(year: 2027, month: 3, day: 31)!),
                                  status: .started)
            return Decoded(recordId: "TR-1", record: .trainee(t), errors: [])
        }
        func batch(_ id: String, _ d: Decoded) -> IncomingBatch {
            IncomingBatch(batchId: id, sender: .forem, recordType: .trainee, bodySha256: sha256Hex(Array(id.utf8)), receivedAt: Received.t0, records: [d],
                          body: Array("{\"personal\": true}".utf8))
        }
        _ = try await store.receive(batch("t1", trainee(1, referring: .vdab)))
        _ = try await store.receive(batch("t2", trainee(2, referring: .actiris)))
        #expect(try await store.rows("SELECT origin, records, messages FROM flow_month ORDER BY origin", []) == [["ACTIRIS", "1", "1"], ["VDAB", "0", "1"]])
        let keys = try await store.column("SELECT person_key FROM received_record")
        #expect(keys.count == 1 && keys[0] == key.pseudonym(of: "85073003328"))
        // The body is sealed at rest (no name in the stored bytes) and opened for delivery.
        #expect(try await store.pendingDelivery("t1", from: .forem)?.body == Array("{\"personal\": true}".utf8))
        #expect(try await store.payload(of: "t1", direction: .received)?.bytes == Array("{\"personal\": true}".utf8))
    }
}
