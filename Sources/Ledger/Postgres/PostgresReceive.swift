import ExchangeProtocol
import Foundation
import Model
import NIOCore
import PostgresNIO

extension PostgresStore: ReceivedBatchStore {
    /// Stores a received batch and its records in one transaction and returns the receipt, which
    /// exists only once everything is committed; the same decisions as the SQLite store
    /// (`ReceivePlan`), in a handful of statements whatever the batch's size.
    ///
    /// Across replicas: the batch row goes first, so a second replica given the same batch at once
    /// waits for the first to commit and then answers its receipt. Two batches carrying one record
    /// at once are decided optimistically: a version is a primary key (the second insert waits for
    /// the first and fails), a new statistics row too, and a statistics row is updated only from the
    /// version that was read (`heldVersion`); the transaction that loses is run again, and then sees
    /// what the other stored. Rows are written in key order, so that two transactions seldom wait
    /// for each other in opposite orders (and PostgreSQL ends the rare deadlock: run again too).
    public func receive(_ batch: IncomingBatch) async throws -> ReceiveOutcome {
        let digests = batch.contentDigests   // made before the write lock is taken
        let keys = ReceivePlan.keys(of: batch)
        let now = Instant.text(batch.receivedAt)
        let body = Data(try PayloadSealing.seal(batch.body, recordType: batch.recordType, key: payloadKey, at: .batch(id: batch.batchId, direction: .received)))
        let (origins, ids) = (keys.map(\.origin), keys.map(\.id))
        let payloadKey = self.payloadKey, lease = self.lease
        return try await transaction(keysTakenMeanwhile: true) { c -> ReceiveOutcome in
            // The batch's row and its body in one round trip.
            let inserted = try await c.change("""
                WITH b AS (\(ReceiveSQL.insertBatch(batch, at: now, lease: lease)) RETURNING batch_id, peer)
                INSERT INTO batch_body (batch_id, direction, peer, body) SELECT batch_id, 'in', peer, \(body) FROM b RETURNING 1
                """)
            if inserted == 0 {
                guard let row = try await c.row(ReceiveSQL.received(batch.batchId, from: batch.sender)) else { throw LedgerError("batch \(batch.batchId) vanished while it was received") }
                return try ReceiveSQL.replay(row, bodySha256: batch.bodySha256)
            }
            var latest: [ReceivePlan.Key: ReceivePlan.Latest] = [:]
            for row in try await c.all("""
                SELECT r.origin, r.record_id, r.version, r.first_received_at, coalesce(r.referring_agency, r.origin) AS flow
                FROM received_record r JOIN unnest(\(origins)::text[], \(ids)::text[]) AS x(o, i) ON r.origin = x.o AND r.record_id = x.i
                """, logger: statementLogger) {
                latest[.init(origin: try row.string("origin"), id: try row.string("record_id"))] =
                    .init(version: try row.int("version"), firstReceivedAt: try row.string("first_received_at"), flowOrigin: try row.string("flow"))
            }
            var versions: [ReceivePlan.Key: [Int: ReceivePlan.Version]] = [:]
            if !latest.isEmpty {
                for row in try await c.all("""
                    SELECT r.origin, r.record_id, r.version, r.content_sha256, r.received_at, coalesce(r.referring_agency, r.origin) AS flow
                    FROM record r JOIN unnest(\(origins)::text[], \(ids)::text[]) AS x(o, i) ON r.origin = x.o AND r.record_id = x.i
                    """, logger: statementLogger) {
                    versions[.init(origin: try row.string("origin"), id: try row.string("record_id")), default: [:]][try row.int("version")] =
                        .init(digest: try row.string("content_sha256"), receivedAt: try row.string("received_at"), flowOrigin: try row.string("flow"))
                }
            }
            let plan = try ReceivePlan(batch, digests: digests, receivedAt: now, pseudonyms: payloadKey,
                                       latest: { latest[$0] }, version: { key, number in versions[key]?[number] })
            try await Self.write(plan, batchId: batch.batchId, sender: batch.sender.rawValue, receivedAt: now, on: c)
            let receipt = plan.receipt(for: batch, receivedAt: now)
            if receipt.counts.onlyDuplicates {
                // Written with the batch's row in one round trip, the usual case; taken back here.
                try await c.change("DELETE FROM batch_body WHERE batch_id = \(batch.batchId) AND direction = 'in' AND peer = \(batch.sender.rawValue)")
                try await c.change(ReceiveSQL.keepNoBody(batch.batchId, from: batch.sender, at: now))
            }
            let text = String(decoding: try WireJSON.encode(receipt), as: UTF8.self)
            try await c.change(ReceiveSQL.setReceipt(text, batchId: batch.batchId, from: batch.sender))
            return .stored(receipt, accepted: plan.accepted)
        }
    }

    /// Writes a receive plan in one statement per table.
    private static func write(_ plan: ReceivePlan, batchId: String, sender: String, receivedAt now: String, on c: PostgresConnection) async throws {
        let facts = RecordFacts.columns.joined(separator: ", ")
        if !plan.versions.isEmpty {
            var rows = JSONRows()
            for v in plan.versions {
                rows.row()
                rows.text("origin", v.record.owner.rawValue); rows.text("record_id", v.record.id.rawValue); rows.int("version", v.record.version.rawValue)
                rows.text("record_type", v.record.recordType.rawValue); rows.text("content_sha256", v.digest); rows.text("event_date", v.facts.eventDate)
                v.facts.write(to: &rows)
            }
            try await c.run("""
                INSERT INTO record (origin, record_id, version, record_type, content_sha256, batch_id, received_at, event_date, \(unescaped: facts))
                SELECT origin, record_id, version, record_type, content_sha256, \(batchId), \(now), event_date, \(unescaped: facts)
                FROM json_to_recordset(\(rows.document)::json) AS x(origin text, record_id text, version bigint, record_type text, content_sha256 text,
                                                                   event_date text, \(unescaped: RecordFacts.recordsetColumns))
                ORDER BY origin, record_id, version
                """, logger: statementLogger)
        }
        var added = JSONRows(), changed = JSONRows()
        for s in plan.statistics {
            if s.isNew {
                added.row()
                added.text("origin", s.origin); added.text("record_id", s.recordId); added.text("record_type", s.recordType.rawValue); added.int("version", s.version)
                s.facts.write(to: &added)
            } else {
                changed.row()
                changed.text("origin", s.origin); changed.text("record_id", s.recordId); changed.int("version", s.version); changed.int("held", s.heldVersion)
                s.facts.write(to: &changed)
            }
        }
        if !added.isEmpty {
            try await c.run("""
                INSERT INTO received_record (origin, record_id, record_type, first_received_at, version, \(unescaped: facts))
                SELECT origin, record_id, record_type, \(now), version, \(unescaped: facts)
                FROM json_to_recordset(\(added.document)::json) AS x(origin text, record_id text, record_type text, version bigint, \(unescaped: RecordFacts.recordsetColumns))
                ORDER BY origin, record_id
                """, logger: statementLogger)
        }
        if !changed.isEmpty {
            let updated = try await c.run("""
                UPDATE received_record r SET version = x.version, \(unescaped: RecordFacts.columns.map { "\($0) = x.\($0)" }.joined(separator: ", "))
                FROM json_to_recordset(\(changed.document)::json) AS x(origin text, record_id text, version bigint, held bigint,
                                                                      \(unescaped: RecordFacts.recordsetColumns))
                WHERE r.origin = x.origin AND r.record_id = x.record_id AND r.version = x.held
                RETURNING 1
                """, logger: statementLogger)
            // Another writer moved a record on since it was read: decide again on what it stored.
            guard updated == changed.count else { throw LostRace() }
        }
        var outcomes = JSONRows()
        for o in plan.outcomes {
            outcomes.row()
            outcomes.int("position", o.index); outcomes.text("record_id", o.recordId); outcomes.int("version", o.version); outcomes.text("outcome", o.outcome.rawValue)
            outcomes.text("field", o.field); outcomes.text("code", o.code); outcomes.text("message", o.message)
        }
        if !outcomes.isEmpty {
            try await c.run("""
                INSERT INTO batch_record (batch_id, peer, position, record_id, version, outcome, field, code, message)
                SELECT \(batchId), \(sender), position, record_id, version, outcome, field, code, message
                FROM json_to_recordset(\(outcomes.document)::json) AS x(position bigint, record_id text, version bigint, outcome text, field text, code text, message text)
                """, logger: statementLogger)
        }
        var flows = JSONRows()
        for (key, change) in plan.flows.sorted {
            flows.row()
            flows.text("record_type", key.type.rawValue); flows.text("month", key.month); flows.text("origin", key.origin); flows.text("sender", key.sender)
            flows.int("records", change.records); flows.int("messages", change.messages)
        }
        if !flows.isEmpty {
            try await c.run("""
                INSERT INTO flow_month (record_type, month, origin, sender, records, messages)
                SELECT record_type, month, origin, sender, records, messages
                FROM json_to_recordset(\(flows.document)::json) AS x(record_type text, month text, origin text, sender text, records bigint, messages bigint)
                ORDER BY record_type, month, origin, sender
                ON CONFLICT (record_type, month, origin, sender) DO UPDATE
                    SET records = flow_month.records + excluded.records, messages = flow_month.messages + excluded.messages
                """, logger: statementLogger)
        }
    }

    public func receipt(ofReceived batchId: String, from sender: Agency) async throws -> Receipt? {
        try await autocommit { c in
            try await c.row(ReceiveSQL.receipt(ofReceived: batchId, from: sender))
                .flatMap(ReceiveSQL.storedReceipt)
        }
    }

    public func manifest(from sender: Agency, since: Date, until: Date) async throws -> [ManifestEntry] {
        let (from, to) = (Instant.text(since), Instant.text(until))
        return try await autocommit { c in
            try await c.rows(ReceiveSQL.manifest(from: sender, since: from, until: to))
                .map(ReceiveSQL.manifestEntry)
        }
    }
}

extension PostgresStore: DeliveryLedger {
    public func undeliveredBatches() async throws -> [(batchId: String, sender: Agency)] {
        try await autocommit { c in
            try await c.rows(ReceiveSQL.undelivered)
                .compactMap(ReceiveSQL.undeliveredBatch)
        }
    }

    public func pendingDelivery(_ batchId: String, from sender: Agency) async throws -> PendingDelivery? {
        let payloadKey = self.payloadKey
        return try await autocommit { c -> PendingDelivery? in
            guard let row = try await c.row(ReceiveSQL.pendingDelivery(batchId, from: sender)) else { return nil }
            let accepted = try await c.rows(ReceiveSQL.acceptedPositions(batchId, from: sender)).map { try $0.int("position") }
            return try PendingDelivery(row: row, batchId: batchId, accepted: accepted, key: payloadKey)
        }
    }

    public func isDelivered(_ batchId: String, from sender: Agency) async throws -> Bool {
        try await autocommit { c in
            try await c.row(ReceiveSQL.isDelivered(batchId, from: sender)) != nil
        }
    }

    public func claimDelivery(_ batchId: String, from sender: Agency, now: Date) async throws -> Bool {
        let lease = self.lease
        return try await autocommit { c in try await c.change(ReceiveSQL.claimDelivery(batchId, from: sender, lease: lease, now: now)) == 1 }
    }

    public func markDelivered(_ batchId: String, from sender: Agency, to destination: String, at date: Date, losses: [RecordLosses]) async throws {
        let at = Instant.text(date), lost = try RecordLosses.column(losses)
        _ = try await autocommit { c in
            try await c.change(ReceiveSQL.markDelivered(batchId, from: sender, to: destination, at: at, losses: lost))
        }
    }
}

extension PostgresStore {
    /// Rows of a read-only query written with `?` placeholders (the statistics' SQL), every value as
    /// text (nil for NULL).
    public func rows(_ sql: String, _ arguments: [String]) async throws -> [[String?]] {
        let query = Self.query(sql, arguments)
        return try await autocommit { c in
            try await c.all(query, logger: statementLogger).map { row in try row.map { try Self.text(of: $0) } }
        }
    }

    /// A statement written once for both stores, with `?` placeholders (a `?` inside a quoted
    /// literal is left alone), as PostgreSQL's `$1`, `$2`, … bound to `arguments` in order.
    static func query(_ sql: String, _ arguments: [String]) -> PostgresQuery {
        var binds = PostgresBindings(capacity: arguments.count)
        for argument in arguments { binds.append(argument) }
        return PostgresQuery(unsafeSQL: numbered(sql), binds: binds)
    }

    /// The same, the first placeholder bound to `payload` (a `bytea`).
    static func query(_ sql: String, payload: Data, _ arguments: [String]) -> PostgresQuery {
        var binds = PostgresBindings(capacity: arguments.count + 1)
        binds.append(ByteBuffer(bytes: payload))
        for argument in arguments { binds.append(argument) }
        return PostgresQuery(unsafeSQL: numbered(sql), binds: binds)
    }

    /// `?` placeholders as `$1`, `$2`, … (a `?` inside a quoted literal left alone).
    private static func numbered(_ sql: String) -> String {
        var out = "", n = 0, quoted = false
        for character in sql {
            if character == "'" { quoted.toggle() }
            if character == "?" && !quoted { n += 1; out += "$\(n)" } else { out.append(character) }
        }
        return out
    }

    /// A cell as text, whatever its type.
    static func text(of cell: PostgresCell) throws -> String? {
        guard cell.bytes != nil else { return nil }
        switch cell.dataType {
        case .int2, .int4, .int8: return String(try cell.decode(Int.self))
        case .bool: return try cell.decode(Bool.self) ? "1" : "0"
        case .float4, .float8: return String(try cell.decode(Double.self))
        case .numeric: return "\(try cell.decode(Decimal.self))"
        case .bytea: return "<\(try cell.decode(Data.self).count) bytes>"
        default: return try cell.decode(String.self)
        }
    }
}
