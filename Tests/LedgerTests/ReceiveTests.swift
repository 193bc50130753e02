import Exchange
import Formats
import Foundation
import GRDB
import Model
import Testing
@testable import Ledger

/// Vacancies as a receiving gateway has them after decoding: canonical records or rejections.
enum Received {
    static func vacancy(_ id: String, version: Int, title: String = "Lasser") -> Decoded {
        let v = Vacancy(origin: .forem, id: try! RecordID(id), version: try! RecordVersion(version), status: .open,
                        text: LocalizedText(language: .french, title: title),
                        occupation: Occupation(fiche: FicheCode(rawValue: "H2913")!, source: OccupationSource(scheme: .rome, version: "3", code: "H2913")),
                        bottleneck: true, openPositions: 1, contract: .permanent, schedule: .fullTime, hoursPerWeek: HoursPerWeek(hundredths: 3800),
                        employer: Employer(name: "Industrie Liégeoise SA", enterpriseNumber: try! EnterpriseNumber("0403170701")),
                        workplace: Workplace(postcode: try! Postcode("4000"), municipality: "Liège"),
                        publicationDate: CalendarDate(year: 2026, month: 11, day: 2)!)
        return Decoded(recordId: id, record: .vacancy(v), errors: [])
    }

    static func rejected(_ id: String) -> Decoded {
        Decoded(recordId: id, record: nil, errors: [FieldError("occupation", .unknownOccupation, "ROME fiche Z9999 does not exist in ROME v3")])
    }

    static func batch(_ id: String, body: String = "body-1", _ records: [Decoded]) -> IncomingBatch {
        IncomingBatch(batchId: id, sender: .forem, recordType: .vacancy, bodySha256: sha256Hex(Array(body.utf8)),
                      receivedAt: Date(timeIntervalSince1970: 1_795_000_000), records: records)
    }
}

@Suite("Receiving batches into the ledger: idempotency, versions, receipts")
struct ReceiveTests {
    func receipt(_ outcome: ReceiveOutcome) -> Receipt? {
        switch outcome {
        case .stored(let r, _), .replayed(let r): r
        case .conflict: nil
        }
    }

    @Test("a new batch is stored and answered with its counts and rejections")
    func stored() async throws {
        let temp = TemporaryStore(), store = try SQLiteStore(path: temp.path)
        let outcome = try await store.receive(Received.batch("b1", [Received.vacancy("FO-1", version: 1), Received.rejected("FO-2")]))
        guard case .stored(let r, _) = outcome else { Issue.record("not stored: \(outcome)"); return }
        #expect(r.counts == .init(records: 2, accepted: 1, duplicates: 0, rejected: 1))
        #expect(r.result == "partiallyFailed")
        #expect(r.rejected == [.init(index: 1, recordId: "FO-2", field: "occupation", code: "UNKNOWN_OCCUPATION", message: "ROME fiche Z9999 does not exist in ROME v3")])
        #expect(r.bodySha256 == sha256Hex(Array("body-1".utf8)))
        #expect(try await store.receipt(ofReceived: "b1", from: .forem) == r)
        #expect(try await store.receipt(ofReceived: "b1", from: .actiris) == nil)
    }

    @Test("the same batch again gets the same receipt and stores nothing twice, also after a restart; another body is a conflict")
    func replay() async throws {
        let temp = TemporaryStore()
        let first = try await SQLiteStore(path: temp.path).receive(Received.batch("b1", [Received.vacancy("FO-1", version: 1)]))
        let reopened = try SQLiteStore(path: temp.path)
        let again = try await reopened.receive(Received.batch("b1", [Received.vacancy("FO-1", version: 1)]))
        #expect(again == .replayed(receipt(first)!))
        #expect(try await reopened.receive(Received.batch("b1", body: "body-2", [Received.vacancy("FO-1", version: 1)])) == .conflict)
        let count = try await reopened.database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM record") }
        #expect(count == 1)
    }

    @Test("record versions across batches: new, duplicate, conflict, stale")
    func versions() async throws {
        let temp = TemporaryStore(), store = try SQLiteStore(path: temp.path)
        _ = try await store.receive(Received.batch("b1", [Received.vacancy("FO-1", version: 2)]))
        let outcome = try await store.receive(Received.batch("b2", body: "body-2", [
            Received.vacancy("FO-1", version: 2),                       // same content: duplicate
            Received.vacancy("FO-1", version: 3),                       // new version
            Received.vacancy("FO-1", version: 3, title: "Soudeur"),     // same version, other content
            Received.vacancy("FO-1", version: 1),                       // lower than held
            Received.vacancy("FO-9", version: 7),                       // another record
        ]))
        let r = receipt(outcome)!
        #expect(r.counts == .init(records: 5, accepted: 2, duplicates: 1, rejected: 2))
        #expect(r.rejected.map(\.index) == [2, 3])
        #expect(r.rejected.map(\.code) == ["VERSION_CONFLICT", "STALE_VERSION"])
        #expect(r.rejected.allSatisfy { $0.field == "version" })
        let versions = try await store.database.read { try Int.fetchAll($0, sql: "SELECT version FROM record WHERE record_id = 'FO-1' ORDER BY version") }
        #expect(versions == [2, 3])
        let outcomes = try await store.database.read { try String.fetchAll($0, sql: "SELECT outcome FROM batch_record WHERE batch_id = 'b2' ORDER BY position") }
        #expect(outcomes == ["duplicate", "accepted", "rejected", "rejected", "accepted"])
    }

    @Test("statistics fields are stored with each record, and no personal data")
    func fields() async throws {
        let temp = TemporaryStore(), store = try SQLiteStore(path: temp.path)
        _ = try await store.receive(Received.batch("b1", [Received.vacancy("FO-1", version: 1)]))
        let row = try await store.database.read { try Row.fetchOne($0, sql: "SELECT fiche, domain, region, contract, bottleneck, event_date FROM record") }!
        #expect(row["fiche"] as String == "H2913")
        #expect(row["domain"] as String == "H29")
        #expect(row["region"] as String == "WALLONIA")
        #expect(row["event_date"] as String == "2026-11-02")
    }
}
