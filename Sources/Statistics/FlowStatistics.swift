import Foundation
import Ledger
import Model

/// A statistic over what a gateway exchanged: vacancies or trainee records, received or sent,
/// broken down by the dimensions asked, in a window, counted as distinct records or as messages.
public struct FlowQuery: Sendable, Equatable {
    public enum Subject: String, Sendable, Codable { case vacancies, trainees }
    /// What this gateway received from its peers (inflows), or sent them (outflows).
    public enum Direction: String, Sendable, Codable, CaseIterable { case received, sent }
    public var subject: Subject
    public var by: [Breakdown]
    public var year: Int?
    public var mode: CountingMode
    public var direction: Direction

    public init(subject: Subject, by: [Breakdown], year: Int? = nil, mode: CountingMode = .records, direction: Direction = .received) throws {
        let allowed = subject == .vacancies ? Breakdown.vacancy : Breakdown.trainee
        if let wrong = by.first(where: { !allowed.contains($0) }) {
            throw StatisticsError("\(subject.rawValue) are not broken down by \(wrong.rawValue) (by: \(allowed.map(\.rawValue).joined(separator: ", ")))")
        }
        if mode == .persons {
            guard subject == .trainees else { throw StatisticsError("persons are counted for trainee records only") }
            guard !by.contains(.outcome) else { throw StatisticsError("persons are counted among the records accepted: outcome does not apply") }
        }
        if by.contains(.outcome) {
            guard direction == .received else { throw StatisticsError("outcome is known of records received only (what this gateway did with them)") }
            if let other = by.first(where: { !Breakdown.ofRefused.contains($0) }) {
                throw StatisticsError("outcome goes with period, origin and destination only: a refused record's \(other.rawValue) is not kept")
            }
        }
        self.subject = subject
        self.by = by
        self.year = year
        self.mode = mode
        self.direction = direction
    }

    /// Whether the monthly counts answer it, instead of the rows.
    var monthly: Bool { direction == .received && mode != .persons && by.allSatisfy { Breakdown.monthly.contains($0) } }
}

public struct StatisticsError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The answer: a table, with the window it covers, the counting mode, whether the current period
/// (still growing) is in it, and whether payloads in it were pruned.
public struct StatisticsTable: Sendable, Equatable, Codable {
    public var subject: String
    public var direction: String
    public var columns: [String]
    public var rows: [[String]]
    public var counts: [Int]
    public var window: String
    public var mode: CountingMode
    public var provisional: Bool
    /// Batches in the window had their payloads removed by retention. Counts do not change (they are
    /// kept apart from payloads), but those records can no longer be resubmitted or shown.
    public var pruned: Bool
    /// Under small-cell protection (`protecting(minimumCell:)`): the threshold, and the cells shown
    /// as `<threshold` — in JSON their count is that string, never the number.
    public var minimumCell: Int?
    public var protected: [Int] = []
    public var total: Int { counts.reduce(0, +) }

    enum CodingKeys: String, CodingKey { case subject, direction, columns, rows, counts, window, mode, provisional, pruned, minimumCell, total }

    /// A count in JSON: a number, or a string such as "<5" for a protected cell.
    enum Count: Codable, Equatable {
        case exact(Int), protected(String)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int.self) { self = .exact(n) } else { self = .protected(try c.decode(String.self)) }
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .exact(let n): try c.encode(n)
            case .protected(let s): try c.encode(s)
            }
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        subject = try c.decode(String.self, forKey: .subject)
        direction = try c.decode(String.self, forKey: .direction)
        columns = try c.decode([String].self, forKey: .columns)
        rows = try c.decode([[String]].self, forKey: .rows)
        let cells = try c.decode([Count].self, forKey: .counts)
        counts = cells.map { if case .exact(let n) = $0 { n } else { 0 } }
        protected = cells.indices.filter { if case .protected = cells[$0] { true } else { false } }
        window = try c.decode(String.self, forKey: .window)
        mode = try c.decode(CountingMode.self, forKey: .mode)
        provisional = try c.decode(Bool.self, forKey: .provisional)
        pruned = try c.decode(Bool.self, forKey: .pruned)
        minimumCell = try c.decodeIfPresent(Int.self, forKey: .minimumCell)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(subject, forKey: .subject)
        try c.encode(direction, forKey: .direction)
        try c.encode(columns, forKey: .columns)
        try c.encode(rows, forKey: .rows)
        try c.encode(counts.indices.map { isProtected($0) ? Count.protected(cell($0)) : Count.exact(counts[$0]) }, forKey: .counts)
        try c.encode(window, forKey: .window)
        try c.encode(mode, forKey: .mode)
        try c.encode(provisional, forKey: .provisional)
        try c.encode(pruned, forKey: .pruned)
        if let minimumCell {
            try c.encode(minimumCell, forKey: .minimumCell)
            try c.encode(shownTotal, forKey: .total)
        }
    }

    public init(subject: String, direction: String, columns: [String], rows: [[String]], counts: [Int], window: String, mode: CountingMode,
                provisional: Bool, pruned: Bool) {
        self.subject = subject
        self.direction = direction
        self.columns = columns
        self.rows = rows
        self.counts = counts
        self.window = window
        self.mode = mode
        self.provisional = provisional
        self.pruned = pruned
    }
}

public struct FlowStatistics: Sendable {
    public let store: any LedgerStore
    /// The agency whose gateway this is: the destination of what it received.
    public let agency: Agency

    public init(store: any LedgerStore, agency: Agency) {
        self.store = store
        self.agency = agency
    }

    /// The rows a query reads: the monthly counts when they can answer it, else the records.
    func source(_ query: FlowQuery, type: String) -> FlowSource {
        let a = agency.rawValue
        switch (query.direction, query.mode) {
        case (.received, _) where query.by.contains(.outcome):
            return query.mode == .records ? .receivedOutcomes(a, type: type) : .receivedOutcomeMessages(a)
        case (.received, _) where query.monthly: return .monthly(a, mode: query.mode)
        case (.received, .records): return .receivedRecords(a)
        case (.received, .messages): return .receivedMessages(a, store.dialect)
        case (.received, .persons): return .persons(.receivedRecords(a))
        case (.sent, .records): return .sentRecords()
        case (.sent, .messages): return .sentMessages()
        case (.sent, .persons): return .persons(.sentRecords())
        }
    }

    /// The SQL and its arguments; `monthly: false` forces the record rows (to check one against the other).
    func sql(_ query: FlowQuery, monthly: Bool = true) -> (sql: String, arguments: [String]) {
        let type = query.subject == .vacancies ? "vacancy" : "trainee"
        var source = source(query, type: type)
        if !monthly && source.from.hasPrefix("flow_month") {
            source = query.mode == .records ? .receivedRecords(agency.rawValue) : .receivedMessages(agency.rawValue, store.dialect)
        }
        let dims = query.by.map { $0.expression(in: source) }
        var window = "\(source.type) = ? AND \(source.filter)"
        var arguments = source.arguments + [type]
        if let year = query.year {
            window += " AND \(source.time) >= ? AND \(source.time) < ?"
            arguments += source.from.hasPrefix("flow_month") ? [String(format: "%04d-01", year), String(format: "%04d-01", year + 1)]
                : [String(format: "%04d-01-01", year), String(format: "%04d-01-01", year + 1)]
        }
        let select = dims.isEmpty ? "" : dims.enumerated().map { "\($0.element) AS d\($0.offset)" }.joined(separator: ", ") + ", "
        var sql = "SELECT \(select)\(source.count) FROM \(source.from) WHERE \(window)"
        if !dims.isEmpty {
            let names = dims.indices.map { "d\($0)" }.joined(separator: ", ")
            sql += " GROUP BY \(names)"
            if source.count != "COUNT(*)" { sql += " HAVING \(source.count) > 0" }   // monthly counts moved away leave zeros
            sql += " ORDER BY \(names)"
        }
        return (sql, arguments)
    }

    /// Answers a query. `monthly: false` reads the record rows even where the monthly counts would do.
    public func answer(_ query: FlowQuery, now: Date = Date(), monthly: Bool = true) async throws -> StatisticsTable {
        if query.mode == .persons {
            let table = query.direction == .received ? "received_record" : "routed_record"
            let unkeyed = try await store.rows("SELECT 1 FROM \(table) WHERE record_type = 'trainee' AND person_key IS NULL LIMIT 1", [])
            guard unkeyed.isEmpty else {
                throw StatisticsError("some trainee records here have no person pseudonym (kept only with payloadKeyFile): persons cannot be counted")
            }
        }
        let (sql, arguments) = sql(query, monthly: monthly)
        var rows = try await store.rows(sql, arguments)
        if query.by.isEmpty, rows.first?.first.flatMap({ $0 }) == nil { rows = [["0"]] }   // SUM over nothing
        let thisYear = Calendar(identifier: .gregorian).component(.year, from: now)
        return StatisticsTable(subject: query.subject.rawValue, direction: query.direction.rawValue, columns: query.by.map(\.rawValue),
                               rows: rows.map { Array($0.dropLast()).map { $0 ?? "" } }, counts: rows.map { Int($0.last.flatMap { $0 } ?? "0") ?? 0 },
                               window: query.year.map { "\($0)-01-01 to \($0 + 1)-01-01" } ?? "everything exchanged",
                               mode: query.mode, provisional: query.year == nil || query.year! >= thisYear,
                               pruned: try await pruned(query))
    }

    /// Whether retention removed payloads of batches in the query's window and direction.
    func pruned(_ query: FlowQuery) async throws -> Bool {
        var sql = "SELECT 1 FROM batch WHERE direction = ? AND record_type = ? AND payload_pruned_at IS NOT NULL"
        var arguments = [query.direction == .received ? "in" : "out", query.subject == .vacancies ? "vacancy" : "trainee"]
        if let year = query.year {
            sql += " AND created_at >= ? AND created_at < ?"
            arguments += [String(format: "%04d-01-01", year), String(format: "%04d-01-01", year + 1)]
        }
        return try await !store.rows(sql + " LIMIT 1", arguments).isEmpty
    }
}

extension FlowStatistics {
    /// The trainee-flow matrix as this gateway knows it: referring agency × training agency, of the
    /// records it received (its agency referred the trainee) and of those it sent (its agency
    /// trains them). The two never hold the same record.
    public func matrix(year: Int?, now: Date = Date()) async throws -> StatisticsTable {
        var received = try await answer(try FlowQuery(subject: .trainees, by: [.origin, .training], year: year), now: now)
        let sent = try await answer(try FlowQuery(subject: .trainees, by: [.origin, .training], year: year, direction: .sent), now: now)
        var cells: [[String]: Int] = [:]
        for (row, n) in zip(received.rows + sent.rows, received.counts + sent.counts) { cells[row, default: 0] += n }
        let keys = cells.keys.sorted { $0.lexicographicallyPrecedes($1) }
        received.rows = keys
        received.counts = keys.map { cells[$0]! }
        received.direction = "received and sent"
        received.pruned = received.pruned || sent.pruned
        return received
    }
}
