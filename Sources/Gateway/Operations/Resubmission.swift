import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Ledger
import Model
import Taxonomy

/// Sends a failed batch again — or the records a peer rejected in a delivered one — rebuilt from the
/// original regional document through today's mappings and taxonomy, so that a fix in `mappings/`
/// or a new taxonomy repairs them. Record ids and versions are unchanged; the new batch names the
/// one it resubmits. A batch is resubmitted once: a bulk run interrupted and run again does only
/// what is left.
public struct Resubmission: Sendable {
    public let agency: Agency
    public let store: any LedgerStore
    public let catalog: FormatCatalog
    public let taxonomy: Taxonomy
    public let peers: [Agency: PickupPlan.Peer]

    public init(agency: Agency, store: any LedgerStore, catalog: FormatCatalog, taxonomy: Taxonomy, peers: [Agency: PickupPlan.Peer]) {
        self.agency = agency
        self.store = store
        self.catalog = catalog
        self.taxonomy = taxonomy
        self.peers = peers
    }

    /// What resubmitting one batch would do.
    public struct Planned: Sendable {
        public var batchId: String
        public var peer: String
        /// Why it cannot be resubmitted (nil: it can).
        public var refusal: String?
        /// The records to send again, and those that still fail, with the reason.
        public var records: Int = 0
        public var stillFailing: [(recordId: String, reason: String)] = []
        public var plan: PickupPlan?
        public var newBatchIds: [String] { plan?.batches.map(\.batchId) ?? [] }
    }

    public func plan(_ batchId: String, now: Date = Date()) async throws -> Planned {
        guard let detail = try await store.batch(batchId) else { return Planned(batchId: batchId, peer: "", refusal: "no such batch") }
        var planned = Planned(batchId: batchId, peer: detail.summary.peer)
        guard detail.summary.direction == .sent else { planned.refusal = "a batch received from \(detail.summary.peer): the sender resubmits it"; return planned }
        guard detail.summary.resubmittedAs.isEmpty else {
            planned.refusal = "resubmitted already, as \(detail.summary.resubmittedAs.joined(separator: ", "))"
            return planned
        }
        let ids: Set<String>
        switch detail.summary.state {
        case .failed:
            ids = Set(try await store.records(ofSent: batchId).map(\.id))
        case .delivered where !detail.rejections.isEmpty:
            // A peer's rejection without its record id names the record by its index in the batch
            // (clarification 9): the records sent, in order, say which.
            let sent = detail.rejections.contains { $0.recordId.isEmpty } ? try await store.records(ofSent: batchId) : []
            ids = Set(detail.rejections.compactMap { r in
                r.recordId.isEmpty ? (sent.indices.contains(r.index) ? sent[r.index].id : nil) : r.recordId
            })
        case .delivered:
            planned.refusal = "delivered, every record taken: nothing to resubmit"
            return planned
        default:
            planned.refusal = "\(detail.summary.state): still in the outbox"
            return planned
        }
        guard let peer = Agency(rawValue: detail.summary.peer), let peerSettings = peers[peer], let type = RecordType(rawValue: detail.summary.recordType) else {
            planned.refusal = "\(detail.summary.peer) is no longer a peer agreed for \(detail.summary.recordType) records"
            return planned
        }
        guard let source = try await sourceDocument(batchId, detail: detail), let format = catalog.format(source.format, type: type) else {
            planned.refusal = "the document it was made of is no longer in the ledger"
            return planned
        }
        let plan = try await PickupPlan.make(document: source.document, source: "resubmission of \(batchId)", format: format, agency: agency,
                                       peers: [peer: peerSettings], routing: Routing(rules: [RoutingRule(recordType: type, destination: .peers([peer]))]),
                                       taxonomy: taxonomy, now: now, only: ids, resubmissionOf: batchId) { _ in [:] }
        if let error = plan.report.documentError { planned.refusal = "the original document cannot be read any more: \(error)"; return planned }
        planned.plan = plan
        planned.records = plan.routed.count
        planned.stillFailing = plan.report.rejected.map { ($0.recordId, $0.rejections.joined(separator: "; ")) }
            + plan.report.notRouted.map { ($0.recordId, $0.reason) }
        let found = Set(plan.report.rejected.map(\.recordId) + plan.routed.map(\.recordId) + plan.report.notRouted.map(\.recordId))
        planned.stillFailing += ids.subtracting(found).sorted().map { ($0, "no longer in the original document") }
        return planned
    }

    /// The original regional document, or, for a batch sent before documents were kept, the batch's
    /// own exchange body.
    func sourceDocument(_ batchId: String, detail: BatchDetail) async throws -> (format: String, document: [UInt8])? {
        if let source = try await store.sourceDocument(ofSent: batchId) { return (source.format, source.document) }
        guard let body = try await store.body(ofSent: batchId) else { return nil }
        return (body.form == .xml ? "exchange-xml" : "exchange-json", body.bytes)
    }

    /// Writes the new batch (queued) and the audit entry; false if the batch was resubmitted meanwhile.
    public func commit(_ planned: Planned, actor: String, reason: String, now: Date = Date()) async throws -> Bool {
        guard planned.refusal == nil, let plan = planned.plan, !plan.batches.isEmpty else { return false }
        let detail = "as \(planned.newBatchIds.joined(separator: ", ")): \(planned.records) records" +
            (planned.stillFailing.isEmpty ? "" : ", \(planned.stillFailing.count) still failing")
        return try await store.commitResubmission(of: planned.batchId, batches: plan.batches, routed: plan.routed,
                                            audit: AuditEntry(actor: actor, action: "resubmit", target: planned.batchId, reason: reason, detail: detail), now: now)
    }
}
