import ExchangeProtocol
import Foundation
import Model

/// A batch made from a picked-up document, ready for the outbox.
public struct QueuedBatch: Sendable, Equatable {
    public var batchId: String
    public var peer: Agency
    public var recordType: RecordType
    public var body: [UInt8]
    public var form: BatchForm
    public var recordCount: Int
    /// The records in the batch, in order: (origin, id, version).
    public var records: [(origin: Agency, id: String, version: Int)] = []
    /// The batch this one resubmits.
    public var resubmissionOf: String?

    public static func == (a: QueuedBatch, b: QueuedBatch) -> Bool {
        a.batchId == b.batchId && a.peer == b.peer && a.recordType == b.recordType && a.body == b.body && a.form == b.form
            && a.recordCount == b.recordCount && a.resubmissionOf == b.resubmissionOf
            && a.records.map { "\($0.origin.rawValue)/\($0.id)/\($0.version)" } == b.records.map { "\($0.origin.rawValue)/\($0.id)/\($0.version)" }
    }

    public init(batchId: String, peer: Agency, recordType: RecordType, body: [UInt8], form: BatchForm, recordCount: Int) {
        self.batchId = batchId
        self.peer = peer
        self.recordType = recordType
        self.body = body
        self.form = form
        self.recordCount = recordCount
    }
}

/// One record version routed to one peer, in one batch.
public struct RoutedRecord: Sendable, Equatable {
    public var origin: Agency
    public var recordId: String
    public var peer: Agency
    public var recordType: RecordType
    public var version: Int
    public var contentSha256: String
    public var batchId: String
    /// What outflow statistics count it by (nil: unknown, as for a row read back).
    public var facts: RecordFacts?

    public init(origin: Agency, recordId: String, peer: Agency, recordType: RecordType, version: Int, contentSha256: String, batchId: String,
                facts: RecordFacts? = nil) {
        self.facts = facts
        self.origin = origin
        self.recordId = recordId
        self.peer = peer
        self.recordType = recordType
        self.version = version
        self.contentSha256 = contentSha256
        self.batchId = batchId
    }
}

/// What became of one picked-up document.
public struct PickupEntry: Sendable, Equatable {
    public enum Outcome: String, Sendable { case done, rejected }
    /// Where it came from: `vacancy/2026-11-22.xml`, or an export's URL with its cursor.
    public var source: String
    public var sha256: String
    public var recordType: RecordType
    public var outcome: Outcome
    public var records = 0
    public var queued = 0
    public var unchanged = 0
    public var notRouted = 0
    public var rejected = 0
    /// The report as written beside the document (JSON).
    public var report: String = "{}"
    /// The document as the agency exported it, and its format: what a resubmission rebuilds from.
    public var document: [UInt8]?
    public var format: String?

    /// A picked-up document is kept in parts of at most this many bytes (`pickup_document`).
    public static let documentPartBytes = 1 << 20

    public init(source: String, sha256: String, recordType: RecordType, outcome: Outcome) {
        self.source = source
        self.sha256 = sha256
        self.recordType = recordType
        self.outcome = outcome
    }
}

/// What went to one peer, of one record type.
public struct SendingSummary: Sendable, Equatable {
    public var peer: Agency
    public var recordType: RecordType
    public var batches = 0
    /// Records in delivered batches (as this gateway counted them when it made the batches), and
    /// what the peer's receipts said of them: the two add up when nothing is lost.
    public var sent = 0
    public var accepted = 0
    public var duplicates = 0
    public var rejected = 0
    /// Records in batches not yet delivered, or failed.
    public var waitingRecords = 0
    public var failedRecords = 0
    /// The encodings the batches were sent in.
    public var encodings: Set<BatchForm> = []

    public init(peer: Agency, recordType: RecordType) {
        self.peer = peer
        self.recordType = recordType
    }
}

/// A record of a picked-up document that went nowhere — rejected (with its faults), routed to no
/// peer (with the reason), or superseded by a higher version of it in the same document — or that
/// went with a loss: what its reading could not carry (one loss a line). Kept for the document's
/// report.
public struct PickupNote: Sendable, Equatable {
    public enum Kind: String, Sendable { case rejected, notRouted, lost, superseded }
    public var kind: Kind
    /// The record's position in the document, from 1 (rejected records and losses).
    public var index: Int?
    public var recordId: String
    public var detail: String
    public init(kind: Kind, index: Int? = nil, recordId: String, detail: String) {
        self.kind = kind
        self.index = index
        self.recordId = recordId
        self.detail = detail
    }
}

extension SendingSummary {
    /// A sent batch as the summary counts it.
    struct Row {
        var peer: String, recordType: String, state: BatchState, recordCount: Int?, receipt: String?, form: String?
    }

    /// Per peer and record type, from every sent batch.
    static func summaries(_ rows: [Row]) -> [SendingSummary] {
        var result: [String: SendingSummary] = [:]
        for row in rows {
            guard let peer = Agency(rawValue: row.peer) else { continue }
            let key = row.peer + "/" + row.recordType
            var s = result[key] ?? SendingSummary(peer: peer, recordType: RecordType(rawValue: row.recordType) ?? .vacancy)
            s.batches += 1
            if let form = BatchForm(rawValue: row.form ?? "") { s.encodings.insert(form) }
            let count = row.recordCount ?? 0
            switch row.state {
            case .delivered:
                s.sent += count
                if let text = row.receipt, let receipt = try? JSONDecoder().decode(Receipt.self, from: Data(text.utf8)) {
                    s.accepted += receipt.counts.accepted
                    s.duplicates += receipt.counts.duplicates
                    s.rejected += receipt.counts.rejected
                }
            case .failed: s.failedRecords += count
            default: s.waitingRecords += count
            }
            result[key] = s
        }
        return result.values.sorted { ($0.peer.rawValue, $0.recordType.rawValue) < ($1.peer.rawValue, $1.recordType.rawValue) }
    }
}
