import ExchangeProtocol
import Foundation
import Model
import PostgresNIO

/// The operators' views and actions, as `SQLiteStore` answers them (see there).
extension PostgresStore {
    public func batches(_ filter: BatchFilter) async throws -> [BatchSummary] {
        try await autocommit { c in try await c.rows(OperationsSQL.batches(filter, .postgres)).map(BatchSummary.init(row:)) }
    }

    public func batch(_ batchId: String, peer: Agency?) async throws -> BatchDetail? {
        try await autocommit { c -> BatchDetail? in
            guard let row = try await c.row(OperationsSQL.batch(batchId, peer: peer, .postgres)) else { return nil }
            let summary = try BatchSummary(row: row)
            let attempts = try await c.rows(OperationsSQL.attempts(batchId)).map(AttemptView.init(row:))
            let receipt = try row.optionalString("receipt").flatMap { try? JSONDecoder().decode(Receipt.self, from: Data($0.utf8)) }
            var rejections = receipt?.rejected ?? []
            if summary.direction == .received && rejections.isEmpty {
                rejections = try await c.rows(OperationsSQL.rejectedRecords(batchId, from: summary.peer)).map(Receipt.Rejection.init(row:))
            }
            let losses = summary.direction != .received ? [] : RecordLosses.read(try await c.row(OperationsSQL.deliveryLosses(batchId, from: summary.peer))?.optionalString("delivery_losses"))
            // The chain: back through resubmission_of, then forward through the batches that resubmit.
            var chain = [batchId]
            var back = summary.resubmissionOf
            while let id = back, !chain.contains(id) {
                chain.insert(id, at: 0)
                back = try await c.row(OperationsSQL.resubmitted(id))?.optionalString("resubmission_of")
            }
            var forward = batchId
            while let next = try await c.row(OperationsSQL.resubmission(of: forward))?.string("batch_id"), !chain.contains(next) {
                chain.append(next)
                forward = next
            }
            return try BatchDetail(row: row, summary: summary, attempts: attempts, receipt: receipt, rejections: rejections, chain: chain, deliveryLosses: losses)
        }
    }

    public func history(origin: Agency, recordId: String) async throws -> RecordHistory {
        try await autocommit { c in
            RecordHistory(origin: origin.rawValue, recordId: recordId,
                          received: try await c.rows(OperationsSQL.received(origin: origin, recordId: recordId)).map(RecordHistory.Received.init(row:)),
                          sent: try await c.rows(OperationsSQL.sent(origin: origin, recordId: recordId)).map(RecordHistory.Sent.init(row:)))
        }
    }

    public func auditLog(_ filter: AuditFilter) async throws -> [AuditEntry] {
        try await autocommit { c in try await c.rows(OperationsSQL.auditLog(filter)).map(AuditEntry.init(row:)) }
    }

    public func audit(_ entry: AuditEntry, now: Date) async throws {
        let at = Instant.text(now)
        try await autocommit { c in try await Self.insert(entry, on: c, at: at) }
    }

    static func insert(_ entry: AuditEntry, on c: PostgresConnection, at: String) async throws {
        try await c.change(OperationsSQL.insert(entry, at: at))
    }

    public func sourceDocument(ofSent batchId: String) async throws -> SourceDocument? {
        let key = payloadKey
        return try await autocommit { c -> SourceDocument? in
            guard let row = try await c.row(OperationsSQL.sourceDocument(ofSent: batchId)), let type = RecordType(rawValue: try row.string("record_type")),
                  let format = try row.optionalString("format") else { return nil }
            let source = try row.string("source"), sha256 = try row.string("sha256")
            if let whole = try row.bytes("document") { return SourceDocument(source: source, format: format, recordType: type, document: try PayloadSealing.open(whole, key: key, at: .document(source: source, sha256: sha256))) }
            var document: [UInt8] = []
            for part in try await c.rows(OperationsSQL.documentParts(source: source, sha256: sha256)) {
                document += try PayloadSealing.open(try part.bytes("bytes") ?? Data(), key: key, at: .documentPart(source: source, sha256: sha256, part: try part.int("part")))
            }
            return document.isEmpty ? nil : SourceDocument(source: source, format: format, recordType: type, document: document)
        }
    }

    public func records(ofSent batchId: String) async throws -> [SentRecord] {
        try await autocommit { c in
            try await c.rows(OperationsSQL.records(ofSent: batchId)).compactMap(SentRecord.init(row:))
        }
    }

    public func commitResubmission(of original: String, batches: [QueuedBatch], routed: [RoutedRecord], audit entry: AuditEntry,
                                   now: Date) async throws -> Bool {
        let at = Instant.text(now), due = DueTime.string(now), key = payloadKey
        return try await transaction { c in
            let source = try await c.row(OperationsSQL.source(ofSent: original))
            guard try await c.row(OperationsSQL.isResubmitted(original)) == nil else { return false }
            let document = try source.flatMap { row in try row.optionalString("source").map { ($0, try row.optionalString("source_sha256") ?? "") } }
            try await Self.insert(batches, source: document, on: c, at: at, due: due, key: key)
            try await Self.route(routed, on: c, at: at)
            try await Self.insert(entry, on: c, at: at)
            return true
        }
    }

    public func payload(of batchId: String, direction: BatchDirection, peer: Agency?) async throws -> StoredBody? {
        let key = payloadKey
        return try await autocommit { c -> StoredBody? in
            guard let row = try await c.row(OperationsSQL.payload(of: batchId, direction: direction, peer: peer)),
                  let data = try row.bytes("body"), let form = BatchForm(rawValue: try row.optionalString("body_form") ?? "") else { return nil }
            return StoredBody(bytes: try PayloadSealing.open(data, key: key, at: .batch(id: batchId, direction: direction)), form: form)
        }
    }

    public func recordType(of batchId: String, direction: BatchDirection, peer: Agency?) async throws -> RecordType? {
        try await autocommit { c in
            try await c.row(OperationsSQL.recordType(of: batchId, direction: direction, peer: peer))?.optionalString("record_type").flatMap(RecordType.init(rawValue:))
        }
    }

    public func deliveredBatches(to peer: Agency, receivedSince since: Date, until: Date) async throws -> [DeliveredBatch] {
        let (from, to) = (Instant.text(since), Instant.text(until))
        return try await autocommit { c in
            try await c.rows(OperationsSQL.deliveredBatches(to: peer, since: from, until: to, .postgres)).map(DeliveredBatch.init(row:))
        }
    }

    public func requeue(_ batchId: String, audit entry: AuditEntry, now: Date) async throws -> Bool {
        let at = Instant.text(now), due = DueTime.string(now)
        return try await transaction { c in
            guard try await c.change(OperationsSQL.requeue(batchId, due: due, at: at)) == 1 else { return false }
            try await Self.insert(entry, on: c, at: at)
            return true
        }
    }

    // MARK: retention

    public func markConfirmed(_ batchIds: [String], now: Date) async throws {
        let at = Instant.text(now)
        _ = try await autocommit { c in
            try await c.change(OperationsSQL.markConfirmed(batchIds, at: at))
        }
    }

    public func prunePayloads(createdBefore cutoff: Date, now: Date) async throws -> PruneReport {
        let before = Instant.text(cutoff), at = Instant.text(now)
        let prune = LedgerSchema.prune(.postgres)
        return try await transaction { c in
            let batches = try await c.run(Self.query(prune.batches + " RETURNING 1", [at, before]))
            try await c.run(Self.query(prune.bodies, []))
            let documents = try await c.run(Self.query(prune.documents + " RETURNING 1", [at, before]))
            try await c.run(Self.query(prune.parts, []))
            return PruneReport(batches: batches, documents: documents)
        }
    }

    @discardableResult
    public func pruneBatches(createdBefore cutoff: Date) async throws -> Int {
        try await transaction { c in
            var batches = 0
            for statement in OperationsSQL.pruneBatches(before: Instant.text(cutoff), .postgres) { batches = try await c.change(statement) }
            return batches
        }
    }

    @discardableResult
    public func pruneAudit(before cutoff: Date) async throws -> Int {
        try await autocommit { c in try await c.change(OperationsSQL.pruneAudit(before: Instant.text(cutoff))) }
    }
}
