import ExchangeProtocol
import Foundation
import GRDB
import Model

extension SQLiteStore {
    /// The batches a filter selects, newest first.
    public func batches(_ filter: BatchFilter) async throws -> [BatchSummary] {
        try await database.read { db in try db.rows(OperationsSQL.batches(filter, .sqlite)).map(BatchSummary.init(row:)) }
    }

    /// One batch, either way (a sent batch first if an id names both).
    public func batch(_ batchId: String, peer: Agency?) async throws -> BatchDetail? {
        try await database.read { db in
            guard let row = try db.row(OperationsSQL.batch(batchId, peer: peer, .sqlite)) else { return nil }
            let summary = try BatchSummary(row: row)
            let attempts = try db.rows(OperationsSQL.attempts(batchId)).map(AttemptView.init(row:))
            let receipt = try row.optionalString("receipt").flatMap { try? JSONDecoder().decode(Receipt.self, from: Data($0.utf8)) }
            var rejections = receipt?.rejected ?? []
            if summary.direction == .received && rejections.isEmpty {
                rejections = try db.rows(OperationsSQL.rejectedRecords(batchId, from: summary.peer)).map(Receipt.Rejection.init(row:))
            }
            let losses = summary.direction != .received ? [] : RecordLosses.read(try db.row(OperationsSQL.deliveryLosses(batchId, from: summary.peer))?.optionalString("delivery_losses"))
            // The chain: back through resubmission_of, then forward through the batches that resubmit.
            var chain = [batchId]
            var back = summary.resubmissionOf
            while let id = back, !chain.contains(id) {
                chain.insert(id, at: 0)
                back = try db.row(OperationsSQL.resubmitted(id))?.optionalString("resubmission_of")
            }
            var forward = batchId
            while let next = try db.row(OperationsSQL.resubmission(of: forward))?.string("batch_id"), !chain.contains(next) {
                chain.append(next)
                forward = next
            }
            return try BatchDetail(row: row, summary: summary, attempts: attempts, receipt: receipt, rejections: rejections, chain: chain, deliveryLosses: losses)
        }
    }

    /// A record's history at this gateway: the versions received and sent, in the order the batches
    /// were stored (two in one second keep their order).
    public func history(origin: Agency, recordId: String) async throws -> RecordHistory {
        try await database.read { db in
            RecordHistory(origin: origin.rawValue, recordId: recordId,
                          received: try db.rows(OperationsSQL.received(origin: origin, recordId: recordId)).map(RecordHistory.Received.init(row:)),
                          sent: try db.rows(OperationsSQL.sent(origin: origin, recordId: recordId)).map(RecordHistory.Sent.init(row:)))
        }
    }

    /// The operators' actions, newest first.
    public func auditLog(_ filter: AuditFilter) async throws -> [AuditEntry] {
        try await database.read { db in try db.rows(OperationsSQL.auditLog(filter)).map(AuditEntry.init(row:)) }
    }

    /// Writes an operator action to the audit log.
    public func audit(_ entry: AuditEntry, now: Date = Date()) async throws {
        try await database.write { db in try Self.insert(entry, in: db, at: Instant.text(now)) }
    }

    static func insert(_ entry: AuditEntry, in db: Database, at: String) throws {
        try db.change(OperationsSQL.insert(entry, at: at))
    }

    /// The document a sent batch was made of, and its format, if the ledger has it.
    public func sourceDocument(ofSent batchId: String) async throws -> SourceDocument? {
        try await database.read { db in
            guard let row = try db.row(OperationsSQL.sourceDocument(ofSent: batchId)), let type = RecordType(rawValue: try row.string("record_type")),
                  let format = try row.optionalString("format") else { return nil }
            let source = try row.string("source"), sha256 = try row.string("sha256")
            if let whole = try row.bytes("document") { return SourceDocument(source: source, format: format, recordType: type, document: try PayloadSealing.open(whole, key: payloadKey, at: .document(source: source, sha256: sha256))) }
            // A document kept in parts (migration 0010).
            var document: [UInt8] = []
            for part in try db.rows(OperationsSQL.documentParts(source: source, sha256: sha256)) {
                document += try PayloadSealing.open(try part.bytes("bytes") ?? Data(), key: payloadKey, at: .documentPart(source: source, sha256: sha256, part: try part.int("part")))
            }
            return document.isEmpty ? nil : SourceDocument(source: source, format: format, recordType: type, document: document)
        }
    }

    /// The records of a sent batch, in order.
    public func records(ofSent batchId: String) async throws -> [SentRecord] {
        try await database.read { db in
            try db.rows(OperationsSQL.records(ofSent: batchId)).compactMap(SentRecord.init(row:))
        }
    }

    /// Writes the batches that resubmit `original`, their routing and the operator's action, in one
    /// transaction — unless `original` was resubmitted already (a run interrupted and run again):
    /// then nothing is written and false is answered.
    @discardableResult
    public func commitResubmission(of original: String, batches: [QueuedBatch], routed: [RoutedRecord], audit entry: AuditEntry,
                                   now: Date = Date()) async throws -> Bool {
        let at = Instant.text(now), due = DueTime.string(now)
        return try await database.write { db in
            let source = try db.row(OperationsSQL.source(ofSent: original))
            guard try db.row(OperationsSQL.isResubmitted(original)) == nil else { return false }
            try Self.insert(batches, source: try source.flatMap { row in try row.optionalString("source").map { ($0, try row.optionalString("source_sha256") ?? "") } },
                            in: db, at: at, due: due, key: payloadKey)
            try Self.route(routed, in: db, at: at)
            try Self.insert(entry, in: db, at: at)
            return true
        }
    }
}

extension SQLiteStore {
    /// A batch's exchange body, as sent or received (nil: no such batch, or its payload was pruned).
    public func payload(of batchId: String, direction: BatchDirection, peer: Agency?) async throws -> StoredBody? {
        try await database.read { db in
            guard let row = try db.row(OperationsSQL.payload(of: batchId, direction: direction, peer: peer)),
                  let data = try row.bytes("body"), let form = BatchForm(rawValue: try row.optionalString("body_form") ?? "") else { return nil }
            return StoredBody(bytes: try PayloadSealing.open(data, key: payloadKey, at: .batch(id: batchId, direction: direction)), form: form)
        }
    }

    /// The record type of a batch, if the ledger has it (payload or not).
    public func recordType(of batchId: String, direction: BatchDirection, peer: Agency?) async throws -> RecordType? {
        try await database.read { db in
            try db.row(OperationsSQL.recordType(of: batchId, direction: direction, peer: peer))?.optionalString("record_type").flatMap(RecordType.init(rawValue:))
        }
    }
}

extension SQLiteStore {
    /// The batches delivered to a peer whose receipts say they were received between two instants.
    public func deliveredBatches(to peer: Agency, receivedSince since: Date, until: Date) async throws -> [DeliveredBatch] {
        try await database.read { db in
            try db.rows(OperationsSQL.deliveredBatches(to: peer, since: Instant.text(since), until: Instant.text(until), .sqlite)).map(DeliveredBatch.init(row:))
        }
    }

    /// Queues a sent batch again, with its id and body, and writes the action to the audit log;
    /// false if it is not a batch this gateway sent.
    public func requeue(_ batchId: String, audit entry: AuditEntry, now: Date = Date()) async throws -> Bool {
        let at = Instant.text(now)
        return try await database.write { db in
            guard try db.change(OperationsSQL.requeue(batchId, due: DueTime.string(now), at: at)) == 1 else { return false }
            try Self.insert(entry, in: db, at: at)
            return true
        }
    }
}
