import Exchange
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
        public var encoding: ExchangeFormat.Form
        public init(sends: Set<RecordType>, encoding: ExchangeFormat.Form) {
            self.sends = sends
            self.encoding = encoding
        }
    }

    /// Reads `document` in `format`, routes each record, and makes the batches.
    /// - Parameters:
    ///   - only: the record ids to take (a resubmission); nil: every record.
    ///   - resubmissionOf: the batch the new batches resubmit (named in their envelope).
    ///   - previousRoutes: where a record of this agency went before, with the digest of the
    ///     version each peer has (from the ledger).
    public static func make(document: [UInt8], source: String, format: any RecordFormat, agency: Agency, peers: [Agency: Peer],
                            routing: Routing, taxonomy: Taxonomy, now: Date = Date(), batchId: () -> String = { UUID().uuidString.lowercased() },
                            only: Set<String>? = nil, resubmissionOf: String? = nil,
                            previousRoutes: (Agency, String) throws -> [Agency: String]) throws -> PickupPlan {
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
        // Per peer, the records going there, in document order, with their digests.
        var outgoing: [Agency: [(record: CanonicalRecord, digest: String)]] = [:]
        var index = 0
        while true {
            let decoded: Decoded?
            do { decoded = try reader.next() } catch { return plan.rejectedDocument(error) }
            guard let decoded else { break }
            index += 1
            if let only, !only.contains(decoded.recordId) { continue }
            plan.entry.records += 1
            guard let record = decoded.record, decoded.errors.isEmpty else {
                plan.entry.rejected += 1
                plan.report.rejected.append(.init(index: index, recordId: decoded.recordId,
                                                  rejections: decoded.errors.map { "\($0.field) \($0.code.rawValue): \($0.message)" }))
                continue
            }
            let digest = sha256Hex(ExchangeFormat.canonicalJSON(record))
            let before = try previousRoutes(record.owner, record.id.rawValue)
            var destinations = routing.destinations(of: record, from: agency, hadBefore: before.keys)
            let notAgreed = destinations.filter { peers[$0]?.sends.contains(type) != true }
            destinations.subtract(notAgreed)
            let changed = destinations.filter { before[$0] != digest }
            if destinations.isEmpty {
                plan.entry.notRouted += 1
                plan.report.notRouted.append(.init(recordId: record.id.rawValue,
                                                   reason: notAgreed.isEmpty ? "no rule sends it" : "to \(notAgreed.map(\.rawValue).sorted().joined(separator: ", ")), not agreed for \(type.rawValue) records"))
            } else if changed.isEmpty {
                plan.entry.unchanged += 1   // every peer has this very version already
            } else {
                plan.entry.queued += 1
                for peer in changed { outgoing[peer, default: []].append((record, digest)) }
            }
        }
        for peer in outgoing.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            let records = outgoing[peer]!
            var start = 0
            while start < records.count {
                var count = min(maximumRecords, records.count - start)
                while true {
                    let id = batchId()
                    let chunk = records[start..<(start + count)]
                    let (body, refused) = try encode(chunk.map(\.record), for: peer, as: peers[peer]!.encoding, id: id, sender: agency, taxonomy: taxonomy,
                                                     now: now, resubmissionOf: resubmissionOf)
                    if body.count > maximumBytes && count > 1 { count /= 2; continue }
                    guard body.count <= maximumBytes else { throw GatewayError("record \(chunk.first!.record.id.rawValue) alone is over the protocol's \(maximumBytes) bytes") }
                    var written: [(origin: Agency, id: String, version: Int)] = []
                    for (i, item) in chunk.enumerated() {
                        if let reason = refused[i] {
                            plan.report.notRouted.append(.init(recordId: item.record.id.rawValue, reason: "\(peer): \(reason)"))
                            continue
                        }
                        written.append((item.record.owner, item.record.id.rawValue, Int(item.record.version.rawValue)))
                        plan.routed.append(RoutedRecord(origin: item.record.owner, recordId: item.record.id.rawValue, peer: peer, recordType: type,
                                                        version: Int(item.record.version.rawValue), contentSha256: item.digest, batchId: id,
                                                        facts: RecordFacts(item.record)))
                    }
                    if !written.isEmpty {
                        var batch = QueuedBatch(batchId: id, peer: peer, recordType: type, body: body, form: peers[peer]!.encoding, recordCount: written.count)
                        batch.records = written
                        batch.resubmissionOf = resubmissionOf
                        plan.batches.append(batch)
                        plan.report.batches.append(.init(batchId: id, peer: peer.rawValue, records: written.count, encoding: peers[peer]!.encoding.rawValue))
                    }
                    break
                }
                start += count
            }
        }
        plan.report.counts = .init(plan.entry)
        plan.entry.report = plan.report.json
        return plan
    }

    /// One batch's body; the records the exchange profile cannot hold are left out, with the reason.
    static func encode(_ records: [CanonicalRecord], for peer: Agency, as form: ExchangeFormat.Form, id: String, sender: Agency,
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

    private func rejectedDocument(_ error: DocumentError) -> PickupPlan { rejectedDocument(error.description) }

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
        init() {}
        init(_ e: PickupEntry) { (records, queued, unchanged, notRouted, rejected) = (e.records, e.queued, e.unchanged, e.notRouted, e.rejected) }
    }
    public struct Rejected: Encodable, Sendable { public var index: Int; public var recordId: String; public var rejections: [String] }
    public struct NotRouted: Encodable, Sendable { public var recordId: String; public var reason: String }
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

    init(source: String, format: String, recordType: String) {
        self.source = source
        self.format = format
        self.recordType = recordType
    }

    enum CodingKeys: String, CodingKey { case source, format, recordType, outcome, documentError, counts, batches, notRouted, rejected }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(format, forKey: .format)
        try c.encode(recordType, forKey: .recordType)
        try c.encode(outcome, forKey: .outcome)
        try c.encodeIfPresent(documentError, forKey: .documentError)
        try c.encode(counts, forKey: .counts)
        try c.encode(batches, forKey: .batches)
        try c.encode(notRouted, forKey: .notRouted)
        try c.encode(rejected, forKey: .rejected)
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
