import ExchangeProtocol
import Foundation
import Model

// The ledger's smaller answers, each a named struct (not a tuple), read from a row once for both
// stores (`init(row:)`).

/// Where a sent batch stands: its state, the attempts made, and the peer's last answer.
public struct OutgoingState: Sendable, Equatable {
    public var state: BatchState
    public var attempts: Int
    public var lastAnswer: String?

    public init(state: BatchState, attempts: Int, lastAnswer: String?) {
        self.state = state
        self.attempts = attempts
        self.lastAnswer = lastAnswer
    }
}

/// The latest version of a record received, and its status as that version gave it.
public struct LatestVersion: Sendable, Equatable {
    public var version: Int
    public var status: String

    public init(version: Int, status: String) {
        self.version = version
        self.status = status
    }
}

/// Where an incomplete pick-up of a document stands: the records read so far, and its counts.
public struct PickupPosition: Sendable, Equatable {
    public var position: Int
    public var counts: PickupEntry

    public init(position: Int, counts: PickupEntry) {
        self.position = position
        self.counts = counts
    }
}

/// What a document's pick-up made so far: its batches in the order they were made, and the notes
/// on its records.
public struct PickupContents: Sendable, Equatable {
    public struct Batch: Sendable, Equatable {
        public var batchId: String
        public var peer: String
        public var records: Int
        public var encoding: String
    }
    public var batches: [Batch]
    public var notes: [PickupNote]
}

/// The document a sent batch was made of, with its source, format and record type.
public struct SourceDocument: Sendable, Equatable {
    public var source: String
    public var format: String
    public var recordType: RecordType
    public var document: [UInt8]

    public init(source: String, format: String, recordType: RecordType, document: [UInt8]) {
        self.source = source
        self.format = format
        self.recordType = recordType
        self.document = document
    }
}

/// One record of a sent batch: whose, which, and the version sent.
public struct SentRecord: Sendable, Equatable, Hashable {
    public var origin: Agency
    public var id: String
    public var version: Int

    public init(origin: Agency, id: String, version: Int) {
        self.origin = origin
        self.id = id
        self.version = version
    }
}

/// A batch's exchange body as stored (opened if it was sealed), and the form it is written in.
public struct StoredBody: Sendable, Equatable {
    public var bytes: [UInt8]
    public var form: BatchForm

    public init(bytes: [UInt8], form: BatchForm) {
        self.bytes = bytes
        self.form = form
    }
}

/// What pruning removed: batches' payloads, and documents.
public struct PruneReport: Sendable, Equatable {
    public var batches: Int
    public var documents: Int

    public init(batches: Int, documents: Int) {
        self.batches = batches
        self.documents = documents
    }
}

extension OutgoingState {
    init(row: some LedgerRow) throws {
        self.init(state: try row.code("state"), attempts: try row.int("attempts"), lastAnswer: try row.optionalString("last_answer"))
    }
}

extension LatestVersion {
    init(row: some LedgerRow) throws {
        self.init(version: try row.int("version"), status: try row.string("status"))
    }
}

extension PickupContents.Batch {
    init(row: some LedgerRow) throws {
        self.init(batchId: try row.string("batch_id"), peer: try row.string("peer"), records: try row.optionalInt("record_count") ?? 0,
                  encoding: try row.optionalString("body_form") ?? "json")
    }
}

extension SentRecord {
    /// A record of a sent batch from its row; nil for an origin this version does not know.
    init?(row: some LedgerRow) throws {
        guard let origin = Agency(rawValue: try row.string("origin")) else { return nil }
        self.init(origin: origin, id: try row.string("record_id"), version: try row.int("version"))
    }
}
