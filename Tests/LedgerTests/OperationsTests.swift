import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Ledger
import LedgerTestSupport
import Model
import Taxonomy
import Testing

@Suite("Operators' views and actions in the ledger (both stores)", .bounded)
struct OperationsTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func receipt(_ id: String, rejected: Int = 0, at: String = "2027-01-15T08:00:00Z") -> Receipt {
        Receipt(batchId: id, receiptId: "r-\(id)", receivedAt: at, bodySha256: "", counts: .init(records: 2, accepted: 2 - rejected, duplicates: 0, rejected: rejected),
                rejected: rejected == 0 ? [] : [.init(index: 1, recordId: "FO-2", field: "occupation", code: "UNKNOWN_OCCUPATION", message: "no such fiche")])
    }

    /// Three sent batches: one delivered whole, one delivered with a record refused, one failed.
    func sent(_ store: any LedgerStore) async throws {
        for (i, id) in ["ok", "partial", "broken"].enumerated() {
            try await store.enqueue(batchId: id, to: .vdab, recordType: .vacancy, body: Array(id.utf8), form: .json, resubmissionOf: nil, now: t0.addingTimeInterval(Double(i)))
        }
        _ = try await store.claimDue(now: t0.addingTimeInterval(10), limit: 16, peer: nil)
        try await store.record(.delivered(receipt("ok")), for: "ok", attempt: 1, answer: "200", now: t0.addingTimeInterval(11))
        try await store.record(.delivered(receipt("partial", rejected: 1)), for: "partial", attempt: 1, answer: "200", now: t0.addingTimeInterval(11))
        try await store.record(.failed("400 bad"), for: "broken", attempt: 1, answer: "400", now: t0.addingTimeInterval(11))
    }

    @Test("listing by state, peer, direction and time; one batch in detail", arguments: LedgerKind.allCases)
    func listing(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        try await sent(store)
        _ = try await store.receive(Received.batch("in-1", [Received.vacancy("FO-1", version: 1), Received.rejected("FO-2")]))
        #expect(try await store.batches(BatchFilter()).count == 4)
        #expect(try await store.batches(BatchFilter(state: .failed)).map(\.batchId) == ["broken"])
        #expect(try await store.batches(BatchFilter(state: .rejectedRecords)).map(\.batchId) == ["partial", "in-1"])   // sent or received
        #expect(try await store.batches(BatchFilter(direction: .received)).map(\.batchId) == ["in-1"])
        #expect(try await store.batches(BatchFilter(peer: .vdab, since: t0.addingTimeInterval(1))).map(\.batchId) == ["broken", "partial"])
        let partial = try #require(try await store.batch("partial"))
        #expect(partial.summary.accepted == 1 && partial.summary.rejected == 1 && partial.rejections.map(\.recordId) == ["FO-2"])
        #expect(partial.attempts.count == 1 && partial.encoding == "json")
        let received = try #require(try await store.batch("in-1"))
        #expect(received.rejections.map(\.code) == ["UNKNOWN_OCCUPATION"])
        #expect(try await store.recordType(of: "in-1", direction: .received) == .vacancy)
        #expect(try await store.payload(of: "broken", direction: .sent)?.bytes == Array("broken".utf8))
        #expect(try await store.history(origin: .forem, recordId: "FO-1").received.map(\.outcome) == [.accepted])
    }

    @Test("a batch is resubmitted once, as a chain; a requeue is audited", arguments: LedgerKind.allCases)
    func resubmission(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        try await sent(store)
        var again = QueuedBatch(batchId: "broken-2", peer: .vdab, recordType: .vacancy, body: Array("fixed".utf8), form: .json, recordCount: 1)
        again.resubmissionOf = "broken"
        again.records = [(.forem, "FO-1", 1)]
        let audit = AuditEntry(actor: "cli:test", action: "resubmit", target: "broken", reason: "fiche added")
        #expect(try await store.commitResubmission(of: "broken", batches: [again], routed: [], audit: audit, now: t0))
        again.batchId = "broken-3"
        #expect(try await store.commitResubmission(of: "broken", batches: [again], routed: [], audit: audit, now: t0) == false)
        #expect(try await store.batch("broken")?.chain == ["broken", "broken-2"])
        #expect(try await store.batch("broken-2")?.summary.resubmissionOf == "broken")
        #expect(try await store.batches(BatchFilter(state: .failed)).first?.resubmittedAs == ["broken-2"])
        var notResubmitted = BatchFilter(state: .failed)
        notResubmitted.notResubmitted = true
        #expect(try await store.batches(notResubmitted).isEmpty)
        #expect(try await store.requeue("ok", audit: AuditEntry(actor: "cli:test", action: "reconcile-repair", target: "ok", reason: "lost"), now: t0))
        #expect(try await store.requeue("no-such", audit: AuditEntry(actor: "cli:test", action: "x", target: "no-such", reason: nil), now: t0) == false)
        #expect(try await store.outgoingState("ok")?.state == .queued)
        #expect(try await store.auditLog(limit: 10).map(\.action) == ["reconcile-repair", "resubmit"])
    }

    @Test("reconciled batches are confirmed; retention prunes only what nothing needs, payloads and then finished batches' rows", arguments: LedgerKind.allCases)
    func retention(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        try await sent(store)
        _ = try await store.receive(Received.batch("in-1", at: t0, [Received.vacancy("FO-1", version: 1)]))
        let delivered = try await store.deliveredBatches(to: .vdab, receivedSince: t0, until: t0.addingTimeInterval(10 * 365 * 86_400))
        #expect(Set(delivered.map(\.batchId)) == ["ok", "partial"])
        try await store.markConfirmed(["ok", "partial"], now: t0)
        let later = t0.addingTimeInterval(86_400)
        // Not yet handed to the back office: the received body stays; the two confirmed sent ones go.
        #expect(try await store.prunePayloads(createdBefore: later, now: later) == PruneReport(batches: 2, documents: 0))
        #expect(try await store.payload(of: "ok", direction: .sent) == nil)
        #expect(try await store.payload(of: "broken", direction: .sent) != nil)   // failed: kept for a resubmission
        try await store.markDelivered("in-1", from: .forem, to: "done", at: later, losses: [])
        #expect(try await store.prunePayloads(createdBefore: later, now: later) == PruneReport(batches: 1, documents: 0))
        #expect(try await store.count("SELECT COUNT(*) FROM record") == 1)   // metadata stays
        // Rows: the finished batches go (received and delivered; sent, delivered whole, confirmed) with
        // their outcomes, attempts and bodies; the one with a rejected record not resubmitted and the
        // failed one stay, and so do the records.
        #expect(try await store.pruneBatches(createdBefore: t0) == 0, "none created before t0")
        #expect(try await store.pruneBatches(createdBefore: later) == 2)
        #expect(Set(try await store.batches(BatchFilter()).map(\.batchId)) == ["partial", "broken"])
        #expect(try await store.count("SELECT COUNT(*) FROM batch_record") == 0)
        #expect(try await store.count("SELECT COUNT(*) FROM attempt WHERE batch_id = 'ok'") == 0)
        #expect(try await store.count("SELECT COUNT(*) FROM attempt") == 2)
        #expect(try await store.count("SELECT COUNT(*) FROM outgoing_record WHERE batch_id = 'ok'") == 0)
        #expect(try await store.payload(of: "broken", direction: .sent) != nil)
        #expect(try await store.count("SELECT COUNT(*) FROM record") == 1)
        #expect(try await store.pruneBatches(createdBefore: later) == 0)
    }
}

@Suite("The imported taxonomy in the ledger (both stores)", .bounded)
struct TaxonomyStoreTests {
    static let sample = ImportedTaxonomy(
        importedAt: "2026-11-22T10:00:00Z",
        v3: RomeV3Content(entries: [RomeEntry(code: "H", label: "Industrie"), RomeEntry(code: "H29", label: "Mécanique"),
                                    RomeEntry(code: "H2913", label: "Soudage manuel")],
                          appellations: [Appellation(code: AppellationCode(rawValue: "19475")!, fiche: FicheCode(rawValue: "H2913")!, label: "Soudeur")]),
        v3Sources: ["arbo.csv"],
        v4: RomeV4Content(codes: [Rome4Code(code: "H2916", parent: FicheCode(rawValue: "H2913")!, label: "Soudeur TIG")],
                          appellations: [Rome4Appellation(code: AppellationCode(rawValue: "19475")!, rome4: "H2916",
                                                          fiche: FicheCode(rawValue: "H2913")!, label: "Soudeur")]),
        v4Sources: ["codes.csv", "appellations.csv"])

    @Test("audit retention removes the entries written before the cutoff, and only those", arguments: LedgerKind.allCases)
    func auditRetention(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        let days = [Date(timeIntervalSince1970: 1_700_000_000), Date(timeIntervalSince1970: 1_760_000_000), Date(timeIntervalSince1970: 1_790_000_000)]
        for (n, at) in days.enumerated() {
            try await store.audit(AuditEntry(actor: "api:alice", action: "read-payload", target: "b\(n)", reason: nil), now: at)
        }
        #expect(try await store.pruneAudit(before: days[1]) == 1)
        #expect(try await store.auditLog(limit: 10).map(\.target) == ["b2", "b1"])
        #expect(try await store.pruneAudit(before: days[1]) == 0)
    }

    @Test("a new store holds no import and every migration, in order", arguments: LedgerKind.allCases)
    func fresh(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        #expect(try await store.importedTaxonomy() == nil)
        #expect(try await store.appliedMigrations() == ["0001-taxonomy-import", "0002-exchange-ledger", "0003-received-bodies-and-delivery", "0004-outbox",
                                                         "0005-pickup-and-routing", "0006-operations", "0007-retention", "0008-statistics",
                                                         "0009-statistics-by-record", "0010-pickup-in-parts", "0011-person-pseudonyms", "0012-replica-leases",
                                                         "0013-batch-bodies-apart", "0014-delivery-losses", "0015-superseded-notes", "0016-batch-ids-per-sender"])
    }

    @Test("what is written is read back, also after reopening; a v3-only import has no v4", arguments: LedgerKind.allCases)
    func roundTrip(_ kind: LedgerKind) async throws {
        let ledger = try await TestLedger(kind)
        try await ledger.open().replaceImportedTaxonomy(Self.sample)
        let reopened = try await ledger.open().importedTaxonomy()
        #expect(reopened?.sources == ["arbo.csv", "codes.csv", "appellations.csv"])
        #expect(Set(reopened?.v3?.entries ?? []) == Set(Self.sample.v3!.entries))
        #expect(reopened?.v3?.appellations == Self.sample.v3?.appellations)
        #expect(reopened?.v4 == Self.sample.v4)
        var v3Only = Self.sample
        (v3Only.v4, v3Only.v4Sources) = (nil, [])
        try await ledger.open().replaceImportedTaxonomy(v3Only)
        #expect(try await ledger.open().importedTaxonomy()?.v4 == nil)
    }

    @Test("a replacement that fails half-way leaves the previous import whole", arguments: LedgerKind.allCases)
    func atomic(_ kind: LedgerKind) async throws {
        let store = try await TestLedger(kind).open()
        try await store.replaceImportedTaxonomy(Self.sample)
        var broken = Self.sample
        broken.importedAt = "2026-11-23T10:00:00Z"
        broken.v3!.entries.append(RomeEntry(code: "H2913", label: "twice"))   // violates the primary key mid-write
        await #expect(throws: (any Error).self) { try await store.replaceImportedTaxonomy(broken) }
        let after = try await store.importedTaxonomy()
        #expect(after?.importedAt == Self.sample.importedAt)
        #expect(after?.v3?.entries.count == 3)
        #expect(after?.v4 == Self.sample.v4)
    }
}
