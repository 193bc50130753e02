import Foundation
import Ledger

/// How the exchange itself is going, from this gateway's ledger: traffic per peer and day, rejection
/// rates by code, delivery latency, retries and resubmissions.
public struct HealthReport: Sendable, Equatable, Codable {
    public struct Traffic: Sendable, Equatable, Codable {
        public var day: String
        public var peer: String
        public var direction: String
        public var batches: Int
        public var records: Int
    }
    public struct Rejection: Sendable, Equatable, Codable {
        public var direction: String
        public var code: String
        public var records: Int
        /// Of all records received (in) or sent (out) in the window.
        public var rate: Double
    }
    public struct Latency: Sendable, Equatable, Codable {
        public var batches: Int
        public var p50: Double?
        public var p90: Double?
        public var p99: Double?
    }
    /// Records taken with a note for staff, by sending peer: a source code that this gateway's own
    /// taxonomy reads as another fiche than the pivot the origin sent, or cannot read
    /// (clarification 6: never a rejection). Each record's own note is in its view.
    public struct Noted: Sendable, Equatable, Codable {
        public var peer: String
        public var field: String
        public var code: String
        public var records: Int
    }
    public var window: String
    public var provisional: Bool
    public var traffic: [Traffic]
    public var rejections: [Rejection]
    /// Seconds from a batch written to the outbox to its receipt.
    public var deliveryLatency: Latency
    /// Attempts beyond the first, over all batches sent.
    public var retries: Int
    public var resubmissions: Int
    public var failedBatches: Int
    public var noted: [Noted] = []
}

public struct HealthStatistics: Sendable {
    public let store: any LedgerStore
    public init(store: any LedgerStore) { self.store = store }

    public func answer(year: Int? = nil, now: Date = Date()) async throws -> HealthReport {
        let d = store.dialect
        var window = "1 = 1"
        var arguments: [String] = []
        if let year {
            window = "created_at >= ? AND created_at < ?"
            arguments = [String(format: "%04d-01-01", year), String(format: "%04d-01-01", year + 1)]
        }
        let traffic = try await store.rows("""
            SELECT substr(created_at, 1, 10), peer, direction, COUNT(*), SUM(coalesce(record_count, 0)) FROM batch WHERE \(window)
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """, arguments).map { r in
            HealthReport.Traffic(day: r[0] ?? "", peer: r[1] ?? "", direction: r[2] ?? "", batches: Int(r[3] ?? "0") ?? 0, records: Int(r[4] ?? "0") ?? 0)
        }
        let totals = Dictionary(uniqueKeysWithValues: ["in", "out"].map { d in (d, traffic.filter { $0.direction == d }.map(\.records).reduce(0, +)) })
        // Received: each rejected record's code; sent: the codes in the peers' receipts.
        var rejected: [String: [String: Int]] = ["in": [:], "out": [:]]
        for r in try await store.rows("""
            SELECT br.code, COUNT(*) FROM batch_record br JOIN batch b ON b.batch_id = br.batch_id AND b.direction = 'in' AND b.peer = br.peer
            WHERE br.outcome = 'rejected' AND \(window.replacingOccurrences(of: "created_at", with: "b.created_at")) GROUP BY 1
            """, arguments) {
            rejected["in"]![r[0] ?? "?"] = Int(r[1] ?? "0") ?? 0
        }
        for r in try await store.rows("""
            SELECT \(d.element("j", "code")), COUNT(*) FROM batch, \(d.jsonElements("batch.receipt", member: "rejected", as: "j"))
            WHERE direction = 'out' AND receipt IS NOT NULL AND \(window) GROUP BY 1
            """, arguments) {
            rejected["out"]![r[0] ?? "?"] = Int(r[1] ?? "0") ?? 0
        }
        let rejections = rejected.flatMap { direction, codes in
            codes.map { code, n in
                HealthReport.Rejection(direction: direction, code: code, records: n, rate: totals[direction, default: 0] > 0 ? Double(n) / Double(totals[direction]!) : 0)
            }
        }.sorted { ($0.direction, -$0.records, $0.code) < ($1.direction, -$1.records, $1.code) }
        let noted = try await store.rows("""
            SELECT b.peer, br.field, br.code, COUNT(*) FROM batch_record br JOIN batch b ON b.batch_id = br.batch_id AND b.direction = 'in' AND b.peer = br.peer
            WHERE br.outcome = 'accepted' AND br.code IS NOT NULL AND \(window.replacingOccurrences(of: "created_at", with: "b.created_at"))
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """, arguments).map { r in HealthReport.Noted(peer: r[0] ?? "", field: r[1] ?? "", code: r[2] ?? "", records: Int(r[3] ?? "0") ?? 0) }
        let rfc3339 = ISO8601DateFormatter()
        let latencies = try await store.rows("""
            SELECT created_at, \(d.json("receipt", "receivedAt")) FROM batch WHERE direction = 'out' AND state = 'delivered' AND \(window)
            """, arguments).compactMap { r -> Double? in
            guard let a = r[0].flatMap(rfc3339.date(from:)), let b = r[1].flatMap(rfc3339.date(from:)) else { return nil }
            return max(0, b.timeIntervalSince(a))
        }.sorted()
        func percentile(_ p: Double) -> Double? {
            guard !latencies.isEmpty else { return nil }
            return latencies[min(latencies.count - 1, Int((p * Double(latencies.count)).rounded(.up)) - 1)]
        }
        let sums = try await store.rows("""
            SELECT coalesce(SUM(CASE WHEN attempts > 1 THEN attempts - 1 ELSE 0 END), 0),
                   coalesce(SUM(CASE WHEN resubmission_of IS NOT NULL THEN 1 ELSE 0 END), 0), coalesce(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0)
            FROM batch WHERE direction = 'out' AND \(window)
            """, arguments).first ?? []
        let thisYear = Calendar(identifier: .gregorian).component(.year, from: now)
        return HealthReport(window: year.map { "\($0)-01-01 to \($0 + 1)-01-01" } ?? "everything in the ledger", provisional: year == nil || year! >= thisYear,
                            traffic: traffic, rejections: rejections,
                            deliveryLatency: .init(batches: latencies.count, p50: percentile(0.5), p90: percentile(0.9), p99: percentile(0.99)),
                            retries: Int(sums.first.flatMap { $0 } ?? "0") ?? 0, resubmissions: Int(sums.dropFirst().first.flatMap { $0 } ?? "0") ?? 0,
                            failedBatches: Int(sums.dropFirst(2).first.flatMap { $0 } ?? "0") ?? 0, noted: noted)
    }
}
