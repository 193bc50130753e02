import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Ledger
import Model
import Taxonomy

/// Routes records one at a time and, when asked, turns what each peer is to get into batches
/// within the protocol's limits, in the peer's encoding. Pure: the records come in, batches,
/// routing and notes go out; the caller reads the document and writes the ledger.
public struct PickupPlanner {
    public struct Counts: Sendable, Equatable {
        public var records = 0, queued = 0, unchanged = 0, notRouted = 0, rejected = 0
        public init() {}
        public init(_ e: PickupEntry) { (records, queued, unchanged, notRouted, rejected) = (e.records, e.queued, e.unchanged, e.notRouted, e.rejected) }
        public func copy(into entry: inout PickupEntry) {
            (entry.records, entry.queued, entry.unchanged, entry.notRouted, entry.rejected) = (records, queued, unchanged, notRouted, rejected)
        }
    }

    /// What one flush makes: the batches, where each record went, and the notes since the last flush.
    public struct Part: Sendable {
        public var batches: [QueuedBatch] = []
        public var routed: [RoutedRecord] = []
        public var notes: [PickupNote] = []
    }

    let type: RecordType
    let agency: Agency
    let peers: [Agency: PickupPlan.Peer]
    let routing: Routing
    let taxonomy: Taxonomy
    let now: Date
    let batchId: () -> String
    let resubmissionOf: String?
    /// The key of the persons' pseudonyms in what outflow statistics keep (nil: none kept).
    public var pseudonyms: PayloadKey?
    public var counts = Counts()
    /// Per peer, the records going there since the last flush, in document order, with their digests.
    private var outgoing: [Agency: [Routed]] = [:]
    /// A record routed: what its batches and the ledger's rows need of it, made once for every peer
    /// (its exchange-profile JSON, digest and statistics facts), not the record itself.
    struct Routed { var origin: Agency; var id: String; var version: Int; var profile: ExchangeFormat.ProfileRecord; var digest: String; var facts: RecordFacts }
    private var notes: [PickupNote] = []
    /// The highest version of each record read so far in this document (clarification 5: one
    /// occurrence of a record in a batch, its highest version).
    private var highest: [String: Int] = [:]
    /// Where the record taken for an id since the last flush went: its position and version, and
    /// the count it was put in (to take it out again when a higher version follows).
    private var taken: [String: Taken] = [:]
    struct Taken { var index: Int; var version: Int; var counted: WritableKeyPath<Counts, Int> }

    public init(type: RecordType, agency: Agency, peers: [Agency: PickupPlan.Peer], routing: Routing, taxonomy: Taxonomy, now: Date,
                batchId: @escaping () -> String = { UUID().uuidString.lowercased() }, resubmissionOf: String? = nil) {
        self.type = type
        self.agency = agency
        self.peers = peers
        self.routing = routing
        self.taxonomy = taxonomy
        self.now = now
        self.batchId = batchId
        self.resubmissionOf = resubmissionOf
    }

    /// Records waiting for the next flush.
    public var pending: Int { outgoing.values.reduce(0) { $0 + $1.count } }

    /// Routes one record read from the document (`index` from 1). `before` says where the record
    /// went before, with the digest of the version each peer has.
    public mutating func route(_ decoded: Decoded, index: Int, before previous: (CanonicalRecord) throws -> [Agency: String]) throws {
        counts.records += 1
        var errors = decoded.errors
        // A gateway sends what its own agency holds: a trainee record is the training agency's
        // (`trainingAgency` = the batch's sender), and goes out through that agency's gateway.
        if let record = decoded.record, record.owner != agency {
            errors.append(FieldError(record.recordType == .trainee ? "trainingAgency" : "originAgency", .invalidValue,
                                     "the record is \(record.owner)'s, not \(agency)'s: \(record.owner)'s gateway sends it (a batch's records are its sender's)"))
        }
        guard let record = decoded.record, errors.isEmpty else {
            counts.rejected += 1
            notes.append(PickupNote(kind: .rejected, index: index, recordId: decoded.recordId,
                                    detail: errors.map { "\($0.field) \($0.code.rawValue): \($0.message)" }.joined(separator: "\n")))
            return
        }
        let id = record.id.rawValue, version = Int(record.version.rawValue)
        if let seen = highest[id] {
            guard version > seen else {
                // A lower version (or the same again) after a higher one: not sent.
                notes.append(PickupNote(kind: .superseded, index: index, recordId: id,
                                        detail: version == seen ? "version \(version) again, read before in this document: the first is sent"
                                                                : "version \(version) is superseded by version \(seen), read before in this document"))
                return
            }
            if let earlier = taken.removeValue(forKey: id) {
                // The earlier version is still in this part: taken out of every peer's batch.
                counts[keyPath: earlier.counted] -= 1
                for peer in outgoing.keys { outgoing[peer]!.removeAll { $0.id == id } }
                notes.removeAll { $0.recordId == id && ($0.index == earlier.index || $0.kind == .notRouted) }
                notes.append(PickupNote(kind: .superseded, index: earlier.index, recordId: id,
                                        detail: "version \(earlier.version) is superseded by version \(version), read after it in this document"))
            }
            // An earlier version already flushed went in a batch of its own: this one follows it.
        }
        highest[id] = version
        if !decoded.losses.isEmpty {
            notes.append(PickupNote(kind: .lost, index: index, recordId: decoded.recordId, detail: decoded.losses.joined(separator: "\n")))
        }
        let profile = ExchangeFormat.ProfileRecord(record)
        let digest = sha256Hex(profile.canonical)
        let before = try previous(record)
        var destinations = routing.destinations(of: record, from: agency, hadBefore: before.keys)
        let notAgreed = destinations.filter { peers[$0]?.sends.contains(type) != true }
        destinations.subtract(notAgreed)
        let changed = destinations.filter { before[$0] != digest }
        if destinations.isEmpty {
            counts.notRouted += 1
            taken[id] = Taken(index: index, version: version, counted: \.notRouted)
            notes.append(PickupNote(kind: .notRouted, recordId: record.id.rawValue,
                                    detail: notAgreed.isEmpty ? "no rule sends it" : "to \(notAgreed.map(\.rawValue).sorted().joined(separator: ", ")), not agreed for \(type.rawValue) records"))
        } else if changed.isEmpty {
            counts.unchanged += 1   // every peer has this very version already
            taken[id] = Taken(index: index, version: version, counted: \.unchanged)
        } else {
            counts.queued += 1
            taken[id] = Taken(index: index, version: version, counted: \.queued)
            let routed = Routed(origin: record.owner, id: record.id.rawValue, version: Int(record.version.rawValue), profile: profile, digest: digest,
                                facts: RecordFacts(record, pseudonyms: pseudonyms))
            for peer in changed { outgoing[peer, default: []].append(routed) }
        }
    }

    /// Makes the batches of everything routed since the last flush, and hands over the notes.
    public mutating func flush() throws -> Part {
        var part = Part()
        for peer in outgoing.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            let records = outgoing[peer]!
            let encoding = peers[peer]!.encoding, most = peers[peer]!.batchRecords
            var start = 0
            while start < records.count {
                var count = min(most, records.count - start)
                while true {
                    let id = batchId()
                    let chunk = records[start..<(start + count)]
                    let body = try ExchangeFormat.batchBody(chunk.map(\.profile), recordType: type, form: encoding, sender: agency,
                                                            envelope: EnvelopeFields(receiver: peer, batchId: id, resubmissionOf: resubmissionOf), created: now)
                    if body.count > PickupPlan.maximumBytes && count > 1 { count /= 2; continue }
                    guard body.count <= PickupPlan.maximumBytes else {
                        throw GatewayError("record \(chunk.first!.id) alone is over the protocol's \(PickupPlan.maximumBytes) bytes")
                    }
                    var written: [(origin: Agency, id: String, version: Int)] = []
                    for item in chunk {
                        written.append((item.origin, item.id, item.version))
                        part.routed.append(RoutedRecord(origin: item.origin, recordId: item.id, peer: peer, recordType: type, version: item.version,
                                                        contentSha256: item.digest, batchId: id, facts: item.facts))
                    }
                    if !written.isEmpty {
                        var batch = QueuedBatch(batchId: id, peer: peer, recordType: type, body: body, form: encoding, recordCount: written.count)
                        batch.records = written
                        batch.resubmissionOf = resubmissionOf
                        part.batches.append(batch)
                    }
                    break
                }
                start += count
            }
        }
        outgoing = [:]
        taken = [:]
        part.notes = notes
        notes = []
        return part
    }
}
