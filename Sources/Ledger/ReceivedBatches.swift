import Exchange
import Formats
import Foundation
import GRDB
import Model

extension SQLiteStore: ReceivedBatchStore {
    /// Stores a received batch and its records in one transaction and returns the receipt, which
    /// exists only once everything is committed. Idempotent by batch id; record versions are
    /// decided against every batch received before, this one's earlier records included.
    public func receive(_ batch: IncomingBatch) throws -> ReceiveOutcome {
        try database.write { db -> ReceiveOutcome in
            if let row = try Row.fetchOne(db, sql: "SELECT body_sha256, receipt FROM batch WHERE batch_id = ? AND direction = 'in'",
                                          arguments: [batch.batchId]) {
                guard (row["body_sha256"] as String) == batch.bodySha256 else { return .conflict }
                return .replayed(try JSONDecoder().decode(Receipt.self, from: Data((row["receipt"] as String).utf8)))
            }
            let now = TimestampPattern.rfc3339.write(batch.receivedAt)
            try db.execute(sql: """
                INSERT INTO batch (batch_id, direction, peer, record_type, body_sha256, state, created_at, updated_at, body, body_form, record_count)
                VALUES (?, 'in', ?, ?, ?, 'received', ?, ?, ?, ?, ?)
                """, arguments: [batch.batchId, batch.sender.rawValue, batch.recordType.rawValue, batch.bodySha256, now, now,
                                 try PayloadSealing.seal(batch.body, recordType: batch.recordType, key: payloadKey), batch.form.rawValue, batch.records.count])
            var counts = Receipt.Counts(records: batch.records.count, accepted: 0, duplicates: 0, rejected: 0)
            var rejected: [Receipt.Rejection] = []
            let outcome = try db.makeStatement(sql: """
                INSERT INTO batch_record (batch_id, position, record_id, version, outcome, field, code, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for (index, decoded) in batch.records.enumerated() {
                guard let record = decoded.record, decoded.errors.isEmpty else {
                    let first = decoded.errors.first ?? FieldError("recordId", .invalidValue, "the record could not be read")
                    rejected.append(.init(index: index, recordId: decoded.recordId, field: first.field, code: first.code.rawValue, message: first.message))
                    counts.rejected += 1
                    try outcome.execute(arguments: [batch.batchId, index, decoded.recordId, nil, "rejected", first.field, first.code.rawValue, first.message])
                    continue
                }
                let version = record.version.rawValue, digest = record.contentDigest
                let held = try Row.fetchOne(db, sql: """
                    SELECT version, content_sha256 FROM record WHERE origin = ? AND record_id = ? ORDER BY version DESC LIMIT 1
                    """, arguments: [record.owner.rawValue, record.id.rawValue])
                let same = try String.fetchOne(db, sql: "SELECT content_sha256 FROM record WHERE origin = ? AND record_id = ? AND version = ?",
                                               arguments: [record.owner.rawValue, record.id.rawValue, version])
                let decision = VersionDecision.decide(version: version, digest: digest,
                                                      held: held.map { ($0["version"], $0["content_sha256"]) }, sameVersionDigest: same)
                switch decision {
                case .accept:
                    try insert(record, digest: digest, batchId: batch.batchId, receivedAt: now, db: db)
                    counts.accepted += 1
                    try outcome.execute(arguments: [batch.batchId, index, decoded.recordId, version, "accepted", nil, nil, nil])
                case .duplicate:
                    counts.duplicates += 1
                    try outcome.execute(arguments: [batch.batchId, index, decoded.recordId, version, "duplicate", nil, nil, nil])
                case .conflict, .stale:
                    let (code, message) = decision.rejection!
                    rejected.append(.init(index: index, recordId: decoded.recordId, field: "version", code: code.rawValue, message: message))
                    counts.rejected += 1
                    try outcome.execute(arguments: [batch.batchId, index, decoded.recordId, version, "rejected", "version", code.rawValue, message])
                }
            }
            let receipt = Receipt(batchId: batch.batchId, receiptId: UUID().uuidString.lowercased(), receivedAt: now,
                                  bodySha256: batch.bodySha256, counts: counts, rejected: rejected)
            try db.execute(sql: "UPDATE batch SET receipt = ? WHERE batch_id = ? AND direction = 'in'",
                           arguments: [String(decoding: try WireJSON.encode(receipt), as: UTF8.self), batch.batchId])
            return .stored(receipt)
        }
    }

    /// The stored receipt of a batch received, if any (`GET /exchange/v1/batches/{id}/receipt`).
    public func receipt(ofReceived batchId: String, from sender: Agency) throws -> Receipt? {
        try database.read { db in
            try String.fetchOne(db, sql: "SELECT receipt FROM batch WHERE batch_id = ? AND direction = 'in' AND peer = ?",
                                arguments: [batchId, sender.rawValue])
                .map { try JSONDecoder().decode(Receipt.self, from: Data($0.utf8)) }
        }
    }

    public func manifest(from sender: Agency, since: Date, until: Date) throws -> [ManifestEntry] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT receipt, body_sha256 FROM batch WHERE direction = 'in' AND peer = ? AND created_at >= ? AND created_at <= ? ORDER BY created_at, batch_id
                """, arguments: [sender.rawValue, TimestampPattern.rfc3339.write(since), TimestampPattern.rfc3339.write(until)])
                .map { row in
                    let r = try JSONDecoder().decode(Receipt.self, from: Data((row["receipt"] as String).utf8))
                    // The digest of the body held, as stored: what reconciliation compares.
                    return ManifestEntry(batchId: r.batchId, bodySha256: row["body_sha256"], receivedAt: r.receivedAt, counts: r.counts)
                }
        }
    }

    private func insert(_ record: CanonicalRecord, digest: String, batchId: String, receivedAt: String, db: Database) throws {
        var region: String?, contract: String?, bottleneck: Bool?, scheme: String?, native: String?, referring: String?
        var gender: String?, ageBand: String?
        let fiche: FicheCode, status: String, eventDate: CalendarDate
        switch record {
        case .vacancy(let v):
            (fiche, status, eventDate) = (v.occupation.fiche, v.status.rawValue, v.publicationDate)
            (region, contract, bottleneck) = (v.workplace.region.rawValue, v.contract.rawValue, v.bottleneck)
        case .trainee(let t):
            (fiche, status, eventDate) = (t.occupation.fiche, t.status.rawValue, t.period.start)
            (scheme, native, referring) = (t.scheme.type.rawValue, t.scheme.nativeName, t.referringAgency.rawValue)
            gender = t.person.gender.rawValue
            ageBand = AgeBand(age: t.person.birthDate.age(on: t.period.start)).rawValue
        }
        try db.execute(sql: """
            INSERT INTO record (origin, record_id, version, record_type, content_sha256, batch_id, received_at, fiche, domain, status,
                                region, contract, bottleneck, scheme, scheme_native, referring_agency, event_date, gender, age_band)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [record.owner.rawValue, record.id.rawValue, record.version.rawValue, record.recordType.rawValue, digest, batchId,
                             receivedAt, fiche.rawValue, fiche.domain, status, region, contract, bottleneck, scheme, native, referring,
                             eventDate.description, gender, ageBand])
    }
}

extension SQLiteStore: DeliveryLedger {
    public func undeliveredBatches() throws -> [(batchId: String, sender: Agency)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT batch_id, peer FROM batch WHERE direction = 'in' AND delivered_at IS NULL ORDER BY created_at, batch_id")
                .compactMap { row in Agency(rawValue: row["peer"]).map { (row["batch_id"], $0) } }
        }
    }

    public func pendingDeliveries() throws -> [PendingDelivery] {
        try undeliveredBatches().compactMap { try pendingDelivery($0.batchId) }
    }

    public func pendingDelivery(_ batchId: String) throws -> PendingDelivery? {
        try database.read { db -> PendingDelivery? in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT peer, record_type, body, body_form FROM batch WHERE batch_id = ? AND direction = 'in' AND delivered_at IS NULL
                """, arguments: [batchId]),
                let sender = Agency(rawValue: row["peer"]), let type = RecordType(rawValue: row["record_type"]),
                let form = ExchangeFormat.Form(rawValue: row["body_form"] ?? "json") else { return nil }
            let accepted = try Int.fetchAll(db, sql: "SELECT position FROM batch_record WHERE batch_id = ? AND outcome = 'accepted'", arguments: [batchId])
            return PendingDelivery(batchId: batchId, sender: sender, recordType: type, body: try PayloadSealing.open(row["body"] as Data? ?? Data(), key: payloadKey),
                                   form: form, accepted: Set(accepted))
        }
    }

    public func markDelivered(_ batchId: String, to destination: String, at date: Date) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE batch SET delivered_at = ?, delivered_to = ?, state = 'delivered', updated_at = ? WHERE batch_id = ? AND direction = 'in'",
                           arguments: [TimestampPattern.rfc3339.write(date), destination, TimestampPattern.rfc3339.write(date), batchId])
        }
    }
}

/// The age bands trainee statistics count by.
public enum AgeBand: String, Sendable, CaseIterable {
    case under25 = "under 25", from25to29 = "25-29", from30to49 = "30-49", from50 = "50+"

    public init(age: Int) {
        switch age {
        case ..<25: self = .under25
        case 25...29: self = .from25to29
        case 30...49: self = .from30to49
        default: self = .from50
        }
    }
}

extension SQLiteStore {
    /// Rows of a read-only query, every value as text (nil for NULL): for the statistics module,
    /// which owns its SQL.
    public func rows(_ sql: String, _ arguments: [String]) throws -> [[String?]] {
        try database.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                row.databaseValues.map { value -> String? in
                    switch value.storage {
                    case .null: nil
                    case .int64(let n): String(n)
                    case .double(let d): String(d)
                    case .string(let s): s
                    case .blob(let data): "<\(data.count) bytes>"
                    }
                }
            }
        }
    }
}
