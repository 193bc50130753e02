import ExchangeProtocol
import Foundation
import Model
import PostgresNIO

/// The operators' views and actions, as `SQLiteStore` answers them (see there).
extension PostgresStore {
    private static let summaryColumns = BatchSummary.columns(.postgres)

    private static func summary(_ row: PostgresRandomAccessRow) throws -> BatchSummary {
        BatchSummary(batchId: try row.string("batch_id"), direction: try row.string("direction"), peer: try row.string("peer"),
                     recordType: try row.string("record_type"), state: try row.string("state"), recordCount: try row.optionalInt("record_count"),
                     receipt: try row.optionalString("receipt"), attempts: try row.int("attempts"), createdAt: try row.string("created_at"),
                     updatedAt: try row.string("updated_at"), resubmissionOf: try row.optionalString("resubmission_of"),
                     resubmittedAs: try row.optionalString("resubmitted_as"))
    }

    public func batches(_ filter: BatchFilter) async throws -> [BatchSummary] {
        let (sql, arguments) = filter.query(.postgres)
        let query = Self.query(sql, arguments)
        return try await autocommit { c in try await c.all(query).map(Self.summary) }
    }

    public func batch(_ batchId: String) async throws -> BatchDetail? {
        try await autocommit { c -> BatchDetail? in
            guard let row = try await c.one("""
                SELECT \(unescaped: Self.summaryColumns), b.body_sha256, b.body_form, b.source, b.delivered_to, b.last_answer
                FROM batch b WHERE b.batch_id = \(batchId) ORDER BY b.direction = 'out' DESC LIMIT 1
                """) else { return nil }
            let summary = try Self.summary(row)
            let attempts = try await c.all("SELECT attempt, at, outcome, answer FROM attempt WHERE batch_id = \(batchId) ORDER BY attempt").map {
                AttemptView(attempt: try $0.int("attempt"), at: try $0.string("at"), outcome: try $0.string("outcome"), answer: try $0.string("answer"))
            }
            let receipt = try row.optionalString("receipt").flatMap { try? JSONDecoder().decode(Receipt.self, from: Data($0.utf8)) }
            var rejections = receipt?.rejected ?? []
            if summary.direction == "in" && rejections.isEmpty {
                rejections = try await c.all("""
                    SELECT position, record_id, field, code, message FROM batch_record WHERE batch_id = \(batchId) AND outcome = 'rejected' ORDER BY position
                    """).map {
                    .init(index: try $0.int("position"), recordId: try $0.string("record_id"), field: try $0.optionalString("field") ?? "",
                          code: try $0.optionalString("code") ?? "", message: try $0.optionalString("message") ?? "")
                }
            }
            let losses = summary.direction != "in" ? [] : RecordLosses.read(try await c.one("""
                SELECT delivery_losses FROM batch WHERE batch_id = \(batchId) AND direction = 'in'
                """)?.optionalString("delivery_losses"))
            // The chain: back through resubmission_of, then forward through the batches that resubmit.
            var chain = [batchId]
            var back = summary.resubmissionOf
            while let id = back, !chain.contains(id) {
                chain.insert(id, at: 0)
                back = try await c.one("SELECT resubmission_of FROM batch WHERE batch_id = \(id) AND direction = 'out'")?.optionalString("resubmission_of")
            }
            var forward = batchId
            while let next = try await c.one("""
                SELECT batch_id FROM batch WHERE resubmission_of = \(forward) AND direction = 'out' ORDER BY created_at LIMIT 1
                """)?.string("batch_id"), !chain.contains(next) {
                chain.append(next)
                forward = next
            }
            return BatchDetail(summary: summary, bodySha256: try row.string("body_sha256"), encoding: try row.optionalString("body_form"),
                               source: try row.optionalString("source"), deliveredTo: try row.optionalString("delivered_to"),
                               lastAnswer: try row.optionalString("last_answer"), attempts: attempts, receipt: receipt, rejections: rejections, chain: chain,
                               deliveryLosses: losses)
        }
    }

    public func history(origin: Agency, recordId: String) async throws -> RecordHistory {
        try await autocommit { c in
            let received = try await c.all("""
                SELECT br.batch_id, br.version, br.outcome, br.code, br.message, b.created_at FROM batch_record br
                JOIN batch b ON b.batch_id = br.batch_id AND b.direction = 'in'
                WHERE br.record_id = \(recordId) AND b.peer = \(origin.rawValue) ORDER BY b.created_at, br.batch_id
                """).map {
                RecordHistory.Received(batchId: try $0.string("batch_id"), version: try $0.optionalInt("version"), outcome: try $0.string("outcome"),
                                       code: try $0.optionalString("code"), message: try $0.optionalString("message"), at: try $0.string("created_at"))
            }
            let sent = try await c.all("""
                SELECT o.batch_id, b.peer, o.version, b.state, b.created_at FROM outgoing_record o
                JOIN batch b ON b.batch_id = o.batch_id AND b.direction = 'out'
                WHERE o.origin = \(origin.rawValue) AND o.record_id = \(recordId) ORDER BY b.created_at, o.batch_id
                """).map {
                RecordHistory.Sent(batchId: try $0.string("batch_id"), peer: try $0.string("peer"), version: try $0.int("version"), state: try $0.string("state"),
                                   at: try $0.string("created_at"))
            }
            return RecordHistory(origin: origin.rawValue, recordId: recordId, received: received, sent: sent)
        }
    }

    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        try await autocommit { c in
            try await c.all("SELECT at, actor, action, target, reason, detail FROM audit ORDER BY id DESC LIMIT \(limit)").map {
                AuditEntry(at: try $0.string("at"), actor: try $0.string("actor"), action: try $0.string("action"), target: try $0.string("target"),
                           reason: try $0.optionalString("reason"), detail: try $0.optionalString("detail"))
            }
        }
    }

    public func audit(_ entry: AuditEntry, now: Date) async throws {
        let at = Instant.text(now)
        try await autocommit { c in try await Self.insert(entry, on: c, at: at) }
    }

    static func insert(_ entry: AuditEntry, on c: PostgresConnection, at: String) async throws {
        try await c.run("""
            INSERT INTO audit (at, actor, action, target, reason, detail) VALUES (\(at), \(entry.actor), \(entry.action), \(entry.target), \(entry.reason), \(entry.detail))
            """)
    }

    public func sourceDocument(ofSent batchId: String) async throws -> (source: String, format: String, recordType: RecordType, document: [UInt8])? {
        let key = payloadKey
        return try await autocommit { c -> (source: String, format: String, recordType: RecordType, document: [UInt8])? in
            guard let row = try await c.one("""
                SELECT p.source, p.sha256, p.format, p.record_type, p.document FROM batch b JOIN pickup p ON p.source = b.source AND p.sha256 = b.source_sha256
                WHERE b.batch_id = \(batchId) AND b.direction = 'out' AND p.payload_pruned_at IS NULL
                """), let type = RecordType(rawValue: try row.string("record_type")), let format = try row.optionalString("format") else { return nil }
            let source = try row.string("source"), sha256 = try row.string("sha256")
            if let whole = try row.bytes("document") { return (source, format, type, try PayloadSealing.open(whole, key: key, at: .document(source: source, sha256: sha256))) }
            var document: [UInt8] = []
            for part in try await c.all("SELECT part, bytes FROM pickup_document WHERE source = \(source) AND sha256 = \(sha256) ORDER BY part") {
                document += try PayloadSealing.open(try part.bytes("bytes") ?? Data(), key: key, at: .documentPart(source: source, sha256: sha256, part: try part.int("part")))
            }
            return document.isEmpty ? nil : (source, format, type, document)
        }
    }

    public func records(ofSent batchId: String) async throws -> [(origin: Agency, id: String, version: Int)] {
        try await autocommit { c in
            try await c.all("SELECT origin, record_id, version FROM outgoing_record WHERE batch_id = \(batchId) ORDER BY position").compactMap { row in
                guard let origin = Agency(rawValue: try row.string("origin")) else { return nil }
                return (origin, try row.string("record_id"), try row.int("version"))
            }
        }
    }

    public func commitResubmission(of original: String, batches: [QueuedBatch], routed: [RoutedRecord], audit entry: AuditEntry,
                                   now: Date) async throws -> Bool {
        let at = Instant.text(now), due = DueTime.string(now), key = payloadKey
        return try await transaction { c in
            // The original's row is locked first: two operators resubmitting it at once on two
            // replicas resubmit it once.
            let source = try await c.one("SELECT source, source_sha256 FROM batch WHERE batch_id = \(original) AND direction = 'out' FOR UPDATE")
            guard try await c.one("SELECT 1 FROM batch WHERE resubmission_of = \(original) AND direction = 'out'") == nil else { return false }
            let document = try source.flatMap { row in try row.optionalString("source").map { ($0, try row.optionalString("source_sha256") ?? "") } }
            try await Self.insert(batches, source: document, on: c, at: at, due: due, key: key)
            try await Self.route(routed, on: c, at: at)
            try await Self.insert(entry, on: c, at: at)
            return true
        }
    }

    public func payload(of batchId: String, direction: String) async throws -> (bytes: [UInt8], form: BatchForm)? {
        let key = payloadKey
        return try await autocommit { c -> (bytes: [UInt8], form: BatchForm)? in
            guard let row = try await c.one("""
                SELECT p.body, b.body_form FROM batch b JOIN batch_body p ON p.batch_id = b.batch_id AND p.direction = b.direction
                WHERE b.batch_id = \(batchId) AND b.direction = \(direction)
                """),
                  let data = try row.bytes("body"), let form = BatchForm(rawValue: try row.optionalString("body_form") ?? "") else { return nil }
            return (try PayloadSealing.open(data, key: key, at: .batch(id: batchId, direction: direction)), form)
        }
    }

    public func recordType(of batchId: String, direction: String) async throws -> RecordType? {
        try await autocommit { c in
            try await c.one("SELECT record_type FROM batch WHERE batch_id = \(batchId) AND direction = \(direction)")
                .flatMap { RecordType(rawValue: try $0.string("record_type")) }
        }
    }

    public func deliveredBatches(to peer: Agency, receivedSince since: Date, until: Date) async throws -> [DeliveredBatch] {
        let (from, to) = (Instant.text(since), Instant.text(until))
        return try await autocommit { c in
            try await c.all("""
                SELECT batch_id, body_sha256, record_count FROM batch WHERE direction = 'out' AND peer = \(peer.rawValue) AND state = 'delivered'
                  AND (receipt::json ->> 'receivedAt') >= \(from) AND (receipt::json ->> 'receivedAt') < \(to) ORDER BY created_at
                """).map { DeliveredBatch(batchId: try $0.string("batch_id"), bodySha256: try $0.string("body_sha256"), recordCount: try $0.optionalInt("record_count")) }
        }
    }

    public func requeue(_ batchId: String, audit entry: AuditEntry, now: Date) async throws -> Bool {
        let at = Instant.text(now), due = DueTime.string(now)
        return try await transaction { c in
            guard try await c.run("""
                UPDATE batch SET state = 'queued', next_attempt_at = \(due), first_attempt_at = NULL, updated_at = \(at)
                WHERE batch_id = \(batchId) AND direction = 'out' AND state IN ('delivered', 'failed') RETURNING 1
                """) == 1 else { return false }
            try await Self.insert(entry, on: c, at: at)
            return true
        }
    }

    // MARK: retention

    public func markConfirmed(_ batchIds: [String], now: Date) async throws {
        let at = Instant.text(now)
        try await autocommit { c in
            try await c.run("""
                UPDATE batch SET confirmed_at = coalesce(confirmed_at, \(at)) WHERE batch_id = ANY(\(batchIds)::text[]) AND direction = 'out'
                """)
        }
    }

    public func prunePayloads(createdBefore cutoff: Date, now: Date) async throws -> (batches: Int, documents: Int) {
        let before = Instant.text(cutoff), at = Instant.text(now)
        let prune = LedgerSchema.prune(.postgres)
        return try await transaction { c in
            let batches = try await c.run(Self.query(prune.batches + " RETURNING 1", [at, before]))
            try await c.run(Self.query(prune.bodies, []))
            let documents = try await c.run(Self.query(prune.documents + " RETURNING 1", [at, before]))
            try await c.run(Self.query(prune.parts, []))
            return (batches, documents)
        }
    }
}
