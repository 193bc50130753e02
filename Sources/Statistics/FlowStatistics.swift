import Foundation
import Ledger
import Model

/// A statistic over what a gateway received: vacancies or trainee records, broken down by the
/// dimensions asked, in a window, counted as distinct records or as messages.
public struct FlowQuery: Sendable, Equatable {
    public enum Subject: String, Sendable, Codable { case vacancies, trainees }
    public var subject: Subject
    public var by: [Breakdown]
    public var year: Int?
    public var mode: CountingMode

    public init(subject: Subject, by: [Breakdown], year: Int? = nil, mode: CountingMode = .records) throws {
        let allowed = subject == .vacancies ? Breakdown.vacancy : Breakdown.trainee
        if let wrong = by.first(where: { !allowed.contains($0) }) {
            throw StatisticsError("\(subject.rawValue) are not broken down by \(wrong.rawValue) (by: \(allowed.map(\.rawValue).joined(separator: ", ")))")
        }
        self.subject = subject
        self.by = by
        self.year = year
        self.mode = mode
    }
}

public struct StatisticsError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The answer: a table, with the window it covers, the counting mode, and whether the current
/// period (still growing) is in it.
public struct StatisticsTable: Sendable, Equatable, Codable {
    public var subject: String
    public var columns: [String]
    public var rows: [[String]]
    public var counts: [Int]
    public var window: String
    public var mode: CountingMode
    public var provisional: Bool
    public var total: Int { counts.reduce(0, +) }
}

public struct FlowStatistics: Sendable {
    public let store: SQLiteStore
    /// The agency whose gateway this is: the destination of what it received.
    public let agency: Agency

    public init(store: SQLiteStore, agency: Agency) {
        self.store = store
        self.agency = agency
    }

    public func answer(_ query: FlowQuery, now: Date = Date()) throws -> StatisticsTable {
        let type = query.subject == .vacancies ? "vacancy" : "trainee"
        let dims = query.by.map { $0.expression(destination: agency.rawValue) }
        var window = "r.record_type = ?"
        var arguments = [type]
        if let year = query.year {
            window += " AND r.received_at >= ? AND r.received_at < ?"
            arguments += [String(format: "%04d-01-01", year), String(format: "%04d-01-01", year + 1)]
        }
        let select = dims.isEmpty ? "" : dims.enumerated().map { "\($0.element) AS d\($0.offset)" }.joined(separator: ", ") + ", "
        let group = dims.isEmpty ? "" : " GROUP BY " + dims.indices.map { "d\($0)" }.joined(separator: ", ") + " ORDER BY " + dims.indices.map { "d\($0)" }.joined(separator: ", ")
        let sql: String
        switch query.mode {
        case .records:
            // Each record once: its latest version received in the window.
            sql = """
                SELECT \(select)COUNT(*) FROM record r
                WHERE \(window) AND r.version = (SELECT MAX(l.version) FROM record l WHERE l.origin = r.origin AND l.record_id = r.record_id
                                                  AND l.record_type = r.record_type\(query.year == nil ? "" : " AND l.received_at >= ? AND l.received_at < ?"))
                \(group)
                """
            if query.year != nil { arguments += Array(arguments.suffix(2)) }
        case .messages:
            // Each version received, accepted or duplicate, with the facts of that version.
            sql = """
                SELECT \(select)COUNT(*) FROM batch_record br
                JOIN batch b ON b.batch_id = br.batch_id AND b.direction = 'in'
                JOIN record r ON r.origin = b.peer AND r.record_id = br.record_id AND r.version = br.version
                WHERE br.outcome IN ('accepted', 'duplicate') AND \(window)
                \(group)
                """
        }
        let rows = try store.rows(sql, arguments)
        let thisYear = Calendar(identifier: .gregorian).component(.year, from: now)
        return StatisticsTable(subject: query.subject.rawValue, columns: query.by.map(\.rawValue),
                               rows: rows.map { Array($0.dropLast()).map { $0 ?? "" } }, counts: rows.map { Int($0.last.flatMap { $0 } ?? "0") ?? 0 },
                               window: query.year.map { "\($0)-01-01 to \($0 + 1)-01-01" } ?? "everything received",
                               mode: query.mode, provisional: query.year == nil || query.year! >= thisYear)
    }
}
