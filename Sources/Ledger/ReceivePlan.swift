import ExchangeProtocol
import Foundation
import Model

/// What receiving one batch comes to, decided in memory from what the ledger holds of its records:
/// each record's outcome, the versions to store, the statistics row of each record (new or
/// updated), the monthly counts to add, and the receipt. Every store writes the same plan in one
/// transaction; none decides anything itself, so that SQLite and PostgreSQL agree by construction.
///
/// A batch may hold several versions of one record: each is decided against what the ledger held
/// before the batch and what the batch's earlier records added.
struct ReceivePlan {
    /// A record's statistics row as held (`received_record`): its latest version, when it was first
    /// received, and the origin of its flow (a trainee's referring agency, else its owner).
    struct Latest { var version: Int; var firstReceivedAt: String; var flowOrigin: String }
    /// One version as held (`record`): its digest, when it was received, and its flow's origin.
    struct Version { var digest: String; var receivedAt: String; var flowOrigin: String }

    /// A row of `batch_record`: what became of the record at `index`.
    struct Outcome { var index: Int; var recordId: String; var version: Int?; var outcome: RecordOutcome; var field: String?; var code: String?; var message: String? }
    /// A version to store (`record`).
    struct NewVersion { var record: CanonicalRecord; var facts: RecordFacts; var digest: String }
    /// A record's statistics row after the batch: inserted (first received now) or updated from
    /// `heldVersion`, the version the ledger held when the batch was decided (a store shared by
    /// several writers checks it is still the one held).
    struct Statistics {
        var origin: String; var recordId: String; var recordType: RecordType; var version: Int; var facts: RecordFacts; var isNew: Bool
        var heldVersion: Int?
    }

    struct Key: Hashable { var origin: String; var id: String }

    var outcomes: [Outcome] = []
    var versions: [NewVersion] = []
    /// In the order each record first appeared in the batch; one per record.
    var statistics: [Statistics] = []
    var flows = FlowCounts()
    var counts: Receipt.Counts
    var rejected: [Receipt.Rejection] = []
    /// Positions of the records accepted (the ones handed to the back office).
    var accepted: [Int] = []

    /// The records the batch names, once each (what a store looks up, or locks, before deciding).
    static func keys(of batch: IncomingBatch) -> [Key] {
        var seen = Set<Key>(), keys: [Key] = []
        for decoded in batch.records {
            guard let record = decoded.record, decoded.errors.isEmpty else { continue }
            let key = Key(origin: record.owner.rawValue, id: record.id.rawValue)
            if seen.insert(key).inserted { keys.append(key) }
        }
        return keys
    }

    /// Decides every record of `batch`.
    /// - Parameters:
    ///   - digests: each record's content digest (nil for a record that could not be read).
    ///   - receivedAt: the batch's time of receipt, RFC 3339.
    ///   - latest: a record's statistics row as held before this batch.
    ///   - version: one version of a record as held before this batch.
    init(_ batch: IncomingBatch, digests: [String?], receivedAt now: String, pseudonyms: PayloadKey?,
         latest: (Key) throws -> Latest?, version: (Key, Int) throws -> Version?) throws {
        counts = Receipt.Counts(records: batch.records.count, accepted: 0, duplicates: 0, rejected: 0)
        let month = String(now.prefix(7))
        // What this batch added so far, over what the ledger held.
        var addedLatest: [Key: Latest] = [:]
        var addedVersions: [Key: [Int: Version]] = [:]
        var statisticsIndex: [Key: Int] = [:]
        for (index, decoded) in batch.records.enumerated() {
            guard let record = decoded.record, decoded.errors.isEmpty else {
                let first = decoded.errors.first ?? FieldError("recordId", .invalidValue, "the record could not be read")
                refuse(index, decoded.recordId, version: nil, field: first.field, code: first.code.rawValue, message: first.message)
                continue
            }
            let key = Key(origin: record.owner.rawValue, id: record.id.rawValue)
            let number = record.version.rawValue, digest = digests[index]!
            let held = try addedLatest[key] ?? latest(key)
            // Only the latest version held decides (a lower one is stale whatever its content). A
            // latest version whose row the ledger lost (a partial restore) is taken again.
            var same: Version?
            if let held, number == held.version { same = try addedVersions[key]?[number] ?? version(key, number) }
            let against = held.flatMap { h in number == h.version ? same.map { VersionDecision.Held(version: h.version, digest: $0.digest) }
                                                                  : VersionDecision.Held(version: h.version, digest: "") }
            let decision = VersionDecision.decide(version: number, digest: digest, held: against)
            switch decision {
            case .accept:
                let facts = RecordFacts(record, pseudonyms: pseudonyms)
                let flowOrigin = facts.referringAgency ?? key.origin
                versions.append(NewVersion(record: record, facts: facts, digest: digest))
                addedVersions[key, default: [:]][number] = Version(digest: digest, receivedAt: now, flowOrigin: flowOrigin)
                flows.add(record.recordType, month: month, origin: flowOrigin, sender: key.origin, messages: 1)
                if let held {
                    if number > held.version {
                        addedLatest[key] = Latest(version: number, firstReceivedAt: held.firstReceivedAt, flowOrigin: flowOrigin)
                        if let i = statisticsIndex[key] {
                            (statistics[i].version, statistics[i].facts) = (number, facts)
                        } else {
                            statisticsIndex[key] = statistics.count
                            statistics.append(Statistics(origin: key.origin, recordId: key.id, recordType: record.recordType, version: number, facts: facts,
                                                         isNew: false, heldVersion: held.version))
                        }
                        if held.flowOrigin != flowOrigin {
                            // The record is counted in the month it was first received, under its latest flow.
                            let first = String(held.firstReceivedAt.prefix(7))
                            flows.add(record.recordType, month: first, origin: held.flowOrigin, sender: key.origin, records: -1)
                            flows.add(record.recordType, month: first, origin: flowOrigin, sender: key.origin, records: 1)
                        }
                    }
                } else {
                    addedLatest[key] = Latest(version: number, firstReceivedAt: now, flowOrigin: flowOrigin)
                    statisticsIndex[key] = statistics.count
                    statistics.append(Statistics(origin: key.origin, recordId: key.id, recordType: record.recordType, version: number, facts: facts, isNew: true))
                    flows.add(record.recordType, month: month, origin: flowOrigin, sender: key.origin, records: 1)
                }
                counts.accepted += 1
                accepted.append(index)
                // A note for staff (the origin's source code read otherwise by this gateway's table)
                // goes with the accepted row; the receipt does not carry it.
                let note = decoded.notes.first
                outcomes.append(Outcome(index: index, recordId: decoded.recordId, version: number, outcome: .accepted,
                                        field: note?.field, code: note?.code.rawValue, message: note?.message))
            case .duplicate:
                // A message, in the month that version was first received.
                flows.add(record.recordType, month: String(same!.receivedAt.prefix(7)), origin: same!.flowOrigin, sender: key.origin, messages: 1)
                counts.duplicates += 1
                outcomes.append(Outcome(index: index, recordId: decoded.recordId, version: number, outcome: .duplicate))
            case .conflict, .stale:
                let (code, message) = decision.rejection!
                refuse(index, decoded.recordId, version: number, field: "version", code: code.rawValue, message: message)
            }
        }
    }

    private mutating func refuse(_ index: Int, _ recordId: String, version: Int?, field: String, code: String, message: String) {
        rejected.append(.init(index: index, recordId: recordId, field: field, code: code, message: message))
        counts.rejected += 1
        outcomes.append(Outcome(index: index, recordId: recordId, version: version, outcome: .rejected, field: field, code: code, message: message))
    }

    /// The receipt of the batch as planned, with a new receipt id.
    func receipt(for batch: IncomingBatch, receivedAt now: String) -> Receipt {
        Receipt(batchId: batch.batchId, receiptId: UUID().uuidString.lowercased(), receivedAt: now, bodySha256: batch.bodySha256,
                counts: counts, rejected: rejected)
    }
}
