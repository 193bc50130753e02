import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Ledger
import Model
import Taxonomy

/// What one exported document becomes: its records read and checked, routed to peers, and grouped
/// into batches within the protocol's limits in each peer's encoding — everything the ledger then
/// writes in one transaction. Nothing here touches a file or the network.
public struct PickupPlan: Sendable {
    /// The protocol's limits on one batch.
    public static let maximumRecords = 5_000
    public static let maximumBytes = 16 << 20

    public var entry: PickupEntry
    public var batches: [QueuedBatch] = []
    public var routed: [RoutedRecord] = []
    public var report: PickupReport

    /// A peer as the planner needs it: the record types agreed and the encoding it prefers.
    public struct Peer: Sendable {
        public var sends: Set<RecordType>
        public var encoding: BatchForm
        /// The most records one batch for this peer holds (`limits.batchRecords`, at most the protocol's 5,000).
        public var batchRecords: Int
        public init(sends: Set<RecordType>, encoding: BatchForm, batchRecords: Int = PickupPlan.maximumRecords) {
            self.sends = sends
            self.encoding = encoding
            self.batchRecords = min(PickupPlan.maximumRecords, max(1, batchRecords))
        }
    }

    /// Reads `document` in `format`, routes each record, and makes the batches, all in memory (a
    /// resubmission, `gateway send`, an HTTP export; the outgoing folder goes through `Pickup` in
    /// parts).
    /// - Parameters:
    ///   - only: the record ids to take (a resubmission); nil: every record.
    ///   - resubmissionOf: the batch the new batches resubmit (named in their envelope).
    ///   - previousRoutes: where records of this agency went before (by id), with the digest of
    ///     the version each peer has (from the ledger); asked once, for every record read.
    public static func make(document: [UInt8], source: String, format: any RecordFormat, agency: Agency, peers: [Agency: Peer],
                            routing: Routing, taxonomy: Taxonomy, now: Date = Date(), batchId: @escaping () -> String = { UUID().uuidString.lowercased() },
                            only: Set<String>? = nil, resubmissionOf: String? = nil,
                            previousRoutes: ([String]) async throws -> [String: [Agency: String]]) async throws -> PickupPlan {
        let type = format.recordType
        var plan = PickupPlan(entry: PickupEntry(source: source, sha256: sha256Hex(document), recordType: type, outcome: .done),
                              report: PickupReport(source: source, format: format.format, recordType: type.rawValue))
        plan.entry.document = document
        plan.entry.format = format.format
        let reader = format.reading(ByteReader(bytes: document), taxonomy: taxonomy)
        let sender: Agency
        do {
            sender = try reader.open()
        } catch {
            return plan.rejectedDocument(error)
        }
        guard sender == agency else {
            return plan.rejectedDocument(DocumentError(line: 0, "the document's records come from \(sender), not from \(agency)"))
        }
        var planner = PickupPlanner(type: type, agency: agency, peers: peers, routing: routing, taxonomy: taxonomy, now: now, batchId: batchId,
                                    resubmissionOf: resubmissionOf)
        var index = 0
        var taken: [(index: Int, decoded: Decoded)] = []
        while true {
            let decoded: Decoded?
            do { decoded = try reader.next() } catch { return plan.rejectedDocument(error) }
            guard let decoded else { break }
            index += 1
            if let only, !only.contains(decoded.recordId) { continue }
            taken.append((index, decoded))
        }
        let before = try await previousRoutes(taken.compactMap { $0.decoded.record?.id.rawValue })
        for (index, decoded) in taken {
            try planner.route(decoded, index: index) { before[$0.id.rawValue] ?? [:] }
        }
        let part = try planner.flush()
        plan.batches = part.batches
        plan.routed = part.routed
        planner.counts.copy(into: &plan.entry)
        plan.report.add(part.notes)
        plan.report.batches = part.batches.map { .init(batchId: $0.batchId, peer: $0.peer.rawValue, records: $0.recordCount, encoding: $0.form.rawValue) }
        plan.report.counts = .init(plan.entry)
        plan.entry.report = plan.report.json
        return plan
    }

    /// One batch's body; the records the exchange profile cannot hold are left out, with the reason.
    static func encode(_ records: [CanonicalRecord], for peer: Agency, as form: BatchForm, id: String, sender: Agency,
                       taxonomy: Taxonomy, now: Date, resubmissionOf: String? = nil) throws -> (body: [UInt8], refused: [Int: String]) {
        let out = ByteWriter()
        let writer = try ExchangeFormat(form: form, recordType: records[0].recordType)
            .writing(out, taxonomy: taxonomy, envelope: EnvelopeFields(receiver: peer, batchId: id, resubmissionOf: resubmissionOf))
        try writer.begin(sender: sender, created: now)
        var refused: [Int: String] = [:]
        for (i, record) in records.enumerated() {
            let errors = writer.write(record).errors
            if !errors.isEmpty { refused[i] = errors.map { "\($0.field) \($0.code.rawValue)" }.joined(separator: "; ") }
        }
        writer.end()
        out.flush()
        return (out.collected, refused)
    }

    /// The plan for a document that cannot be sent at all: nothing queued, the reason in its report.
    static func rejected(document: [UInt8], source: String, format: any RecordFormat, reason: String) -> PickupPlan {
        var plan = PickupPlan(entry: PickupEntry(source: source, sha256: sha256Hex(document), recordType: format.recordType, outcome: .done),
                              report: PickupReport(source: source, format: format.format, recordType: format.recordType.rawValue))
        plan.entry.document = document
        plan.entry.format = format.format
        return plan.rejectedDocument(reason)
    }

    func rejectedDocument(_ error: DocumentError) -> PickupPlan { rejectedDocument(error.description) }

    private func rejectedDocument(_ reason: String) -> PickupPlan {
        var plan = PickupPlan(entry: entry, report: report)
        plan.entry.outcome = .rejected
        plan.entry.queued = 0
        plan.report.documentError = reason
        plan.report.counts = .init(plan.entry)
        plan.entry.report = plan.report.json
        return plan
    }
}

/// The report written beside a picked-up document (`<name>.report.json`): what was read, what went
/// where in which batch, and why anything did not. Record ids and codes only, no personal data.
public struct PickupReport: Encodable, Sendable {
    public struct Counts: Encodable, Sendable {
        public var records = 0, queued = 0, unchanged = 0, notRouted = 0, rejected = 0
        /// Versions left out for a higher version in the document: `records` is the sum of all five.
        public var superseded = 0
        init() {}
        init(_ e: PickupEntry) { (records, queued, unchanged, notRouted, rejected) = (e.records, e.queued, e.unchanged, e.notRouted, e.rejected) }
    }
    public struct Rejected: Encodable, Sendable { public var index: Int; public var recordId: String; public var rejections: [String] }
    public struct NotRouted: Encodable, Sendable { public var recordId: String; public var reason: String }
    public struct Lost: Encodable, Sendable { public var index: Int; public var recordId: String; public var losses: [String] }
    /// A version not sent because the same document holds the record in a higher version
    /// (clarification 5: a batch holds one occurrence of a record).
    public struct Superseded: Encodable, Sendable { public var index: Int; public var recordId: String; public var reason: String }
    public struct Batch: Encodable, Sendable { public var batchId: String; public var peer: String; public var records: Int; public var encoding: String }

    public var source: String
    public var format: String
    public var recordType: String
    public var outcome: String { documentError == nil ? "done" : "rejected" }
    public var documentError: String?
    public var counts = Counts()
    public var batches: [Batch] = []
    public var notRouted: [NotRouted] = []
    public var rejected: [Rejected] = []
    /// Records that went with what their reading could not carry.
    public var losses: [Lost] = []
    /// Versions left out for a higher version of the same record in the document.
    public var superseded: [Superseded] = []

    /// The report's lists from a document's notes.
    mutating func add(_ notes: [PickupNote]) {
        for n in notes {
            switch n.kind {
            case .rejected: rejected.append(.init(index: n.index ?? 0, recordId: n.recordId, rejections: n.detail.components(separatedBy: "\n")))
            case .notRouted: notRouted.append(.init(recordId: n.recordId, reason: n.detail))
            case .lost: losses.append(.init(index: n.index ?? 0, recordId: n.recordId, losses: n.detail.components(separatedBy: "\n")))
            case .superseded: superseded.append(.init(index: n.index ?? 0, recordId: n.recordId, reason: n.detail))
            }
        }
    }

    init(source: String, format: String, recordType: String) {
        self.source = source
        self.format = format
        self.recordType = recordType
    }

    enum CodingKeys: String, CodingKey { case source, format, recordType, outcome, documentError, counts, batches, notRouted, rejected, losses, superseded }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(format, forKey: .format)
        try c.encode(recordType, forKey: .recordType)
        try c.encode(outcome, forKey: .outcome)
        try c.encodeIfPresent(documentError, forKey: .documentError)
        var counts = self.counts
        counts.superseded = superseded.count
        try c.encode(counts, forKey: .counts)
        try c.encode(batches, forKey: .batches)
        try c.encode(notRouted, forKey: .notRouted)
        try c.encode(rejected, forKey: .rejected)
        try c.encode(losses, forKey: .losses)
        try c.encode(superseded, forKey: .superseded)
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
