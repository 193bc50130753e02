import ExchangeProtocol
import Foundation
import Model

/// Which batches an operator asks for.
public struct BatchFilter: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        case queued, sending, delivered, failed, received
        /// Delivered or received, with records the receiver rejected.
        case rejectedRecords = "rejected-records"
    }
    public var state: State?
    public var peer: Agency?
    public var direction: BatchDirection?
    public var since: Date?
    public var until: Date?
    /// Leave out the batches already resubmitted.
    public var notResubmitted = false
    public var limit = 1000

    public init(state: State? = nil, peer: Agency? = nil, direction: BatchDirection? = nil, since: Date? = nil, until: Date? = nil) {
        self.state = state
        self.peer = peer
        self.direction = direction
        self.since = since
        self.until = until
    }
}

/// One line of a batch listing.
public struct BatchSummary: Sendable, Equatable, Codable {
    public var batchId: String
    public var direction: BatchDirection
    public var peer: String
    public var recordType: String
    public var state: BatchState
    public var records: Int?
    public var accepted: Int?
    public var duplicates: Int?
    public var rejected: Int?
    public var attempts: Int
    public var createdAt: String
    public var updatedAt: String
    public var resubmissionOf: String?
    /// The batches that resubmit this one.
    public var resubmittedAs: [String]
}

/// One attempt to send a batch.
public struct AttemptView: Sendable, Equatable, Codable {
    public var attempt: Int
    public var at: String
    public var outcome: String
    public var answer: String
}

/// Everything an operator needs about one batch.
public struct BatchDetail: Sendable, Equatable, Codable {
    public var summary: BatchSummary
    public var bodySha256: String
    public var encoding: String?
    /// The document the batch was made of (sent batches), or the drop-folder file or URL it was
    /// delivered to (received batches).
    public var source: String?
    public var deliveredTo: String?
    public var lastAnswer: String?
    public var attempts: [AttemptView]
    public var receipt: Receipt?
    /// The records the receiver rejected, with field, code and message.
    public var rejections: [Receipt.Rejection]
    /// The resubmission chain, oldest first, this batch included.
    public var chain: [String]
    /// Received batches, once delivered: the accepted records that the back office's format held
    /// only with losses, each with what it lost.
    public var deliveryLosses: [RecordLosses] = []
}

/// An operator action, as the audit log keeps it.
public struct AuditEntry: Sendable, Equatable, Codable {
    /// The entry's place in the log (nil before it is written): the key of the audit API's pages.
    public var id: Int64?
    public var at: String
    public var actor: String
    public var action: String
    public var target: String
    public var reason: String?
    public var detail: String?

    public init(at: String = "", actor: String, action: String, target: String, reason: String?, detail: String? = nil) {
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.reason = reason
        self.detail = detail
    }
}

/// A record's life across batches and versions, at this gateway.
public struct RecordHistory: Sendable, Equatable, Codable {
    public struct Received: Sendable, Equatable, Codable {
        public var batchId: String
        public var version: Int?
        public var outcome: RecordOutcome
        public var code: String?
        public var message: String?
        public var at: String
    }
    public struct Sent: Sendable, Equatable, Codable {
        public var batchId: String
        public var peer: String
        public var version: Int
        public var state: BatchState
        public var at: String
    }
    public var origin: String
    public var recordId: String
    /// Each batch that brought a version of it here, and what became of it.
    public var received: [Received]
    /// Each batch that took a version of it to a peer.
    public var sent: [Sent]
}

extension ManifestEntry {
    /// A manifest's line from a stored receipt, with the digest of the body held.
    init(receipt text: String, bodySha256: String) throws {
        let r = try JSONDecoder().decode(Receipt.self, from: Data(text.utf8))
        self.init(batchId: r.batchId, bodySha256: bodySha256, receivedAt: r.receivedAt, counts: r.counts)
    }
}

extension BatchFilter {
    /// The listing's statement over `batch b`, newest first.
    func statement(_ dialect: SQLDialect) -> LedgerSQL {
        var conditions: [LedgerSQL] = []
        switch state {
        case nil: break
        case .rejectedRecords?: conditions.append("\(raw: dialect.jsonNumber("b.receipt", "counts", "rejected")) > 0")
        case let state?: conditions.append("b.state = \(state.rawValue)")
        }
        if let peer { conditions.append("b.peer = \(peer.rawValue)") }
        if let direction { conditions.append("b.direction = \(direction)") }
        if let since { conditions.append("b.created_at >= \(Instant.text(since))") }
        if let until { conditions.append("b.created_at < \(Instant.text(until))") }
        if notResubmitted { conditions.append("NOT EXISTS (SELECT 1 FROM batch r WHERE r.resubmission_of = b.batch_id AND r.direction = 'out')") }
        var statement: LedgerSQL = "SELECT \(raw: BatchSummary.columns(dialect)) FROM batch b"
        for (i, condition) in conditions.enumerated() { statement = statement + (i == 0 ? "WHERE \(condition)" : "AND \(condition)") }
        return statement + "ORDER BY b.created_at DESC, b.batch_id LIMIT \(max(1, limit))"
    }
}

extension BatchSummary {
    /// The columns a listing's line is read from, over `batch b`.
    static func columns(_ dialect: SQLDialect) -> String {
        """
        b.batch_id, b.direction, b.peer, b.record_type, b.state, b.record_count, b.receipt, b.attempts, b.created_at, b.updated_at, b.resubmission_of,
        (SELECT \(dialect.commaList("r.batch_id")) FROM batch r WHERE r.resubmission_of = b.batch_id AND r.direction = 'out') AS resubmitted_as
        """
    }

    /// A listing's line from a batch row as both stores read it: the counts from the receipt when
    /// there is one, the resubmitting batches from a comma-separated list.
    init(batchId: String, direction: BatchDirection, peer: String, recordType: String, state: BatchState, recordCount: Int?, receipt: String?, attempts: Int,
         createdAt: String, updatedAt: String, resubmissionOf: String?, resubmittedAs: String?) {
        let counts = receipt.flatMap { try? JSONDecoder().decode(Receipt.self, from: Data($0.utf8)) }?.counts
        self.init(batchId: batchId, direction: direction, peer: peer, recordType: recordType, state: state, records: counts?.records ?? recordCount,
                  accepted: counts?.accepted, duplicates: counts?.duplicates, rejected: counts?.rejected, attempts: attempts, createdAt: createdAt,
                  updatedAt: updatedAt, resubmissionOf: resubmissionOf,
                  resubmittedAs: (resubmittedAs?.split(separator: ",").map(String.init) ?? []).sorted())
    }
}

extension RecordLosses {
    /// A delivery's losses as `batch.delivery_losses` keeps them: JSON, or NULL when none.
    static func column(_ losses: [RecordLosses]) throws -> String? {
        losses.isEmpty ? nil : String(decoding: try WireJSON.encode(losses), as: UTF8.self)
    }

    /// The column read back (none for NULL, or for what does not read).
    static func read(_ column: String?) -> [RecordLosses] {
        column.flatMap { try? JSONDecoder().decode([RecordLosses].self, from: Data($0.utf8)) } ?? []
    }
}

/// A batch sent and delivered, as reconciliation compares it with the peer's manifest.
public struct DeliveredBatch: Sendable, Equatable {
    public var batchId: String
    public var bodySha256: String
    /// The records it holds, when the ledger knows (a receipt of it must count as many).
    public var recordCount: Int?
    public init(batchId: String, bodySha256: String, recordCount: Int?) {
        self.batchId = batchId
        self.bodySha256 = bodySha256
        self.recordCount = recordCount
    }
}
