import Formats
import Foundation
import Model

/// When a gateway collects what its agency exported: every so often, or at times of day (in the
/// gateway's time zone, Europe/Brussels on the agencies' machines).
public enum Schedule: Sendable, Equatable {
    case every(TimeInterval)
    /// Minutes after midnight, sorted.
    case timesOfDay([Int])

    /// The first run strictly after `date`.
    public func next(after date: Date, calendar: Calendar = .current) -> Date {
        switch self {
        case .every(let interval):
            return date.addingTimeInterval(interval)
        case .timesOfDay(let minutes):
            let midnight = calendar.startOfDay(for: date)
            for day in 0...1 {
                guard let base = calendar.date(byAdding: .day, value: day, to: midnight) else { continue }
                for m in minutes {
                    if let run = calendar.date(byAdding: .minute, value: m, to: base), run > date { return run }
                }
            }
            return date.addingTimeInterval(86_400)
        }
    }

    /// `06:00` → minutes after midnight.
    public static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (0...23).contains(h), (0...59).contains(m) else { return nil }
        return h * 60 + m
    }
}

/// What a gateway picks up from its agency, and when.
public struct PickupSettings: Sendable, Equatable {
    /// The agency's outgoing folder: documents in `vacancy/` and `trainee/` beneath it.
    public var folder: String?
    /// The agency's HTTP export: `GET <url>?type=<vacancy|trainee>&since=<cursor>`.
    public var exportURL: String?
    /// The agency's own format for each record type it exports.
    public var formats: [RecordType: String]
    public var schedule: Schedule
    /// A document larger than this is left where it is, unread (`pickup.maxDocumentMegabytes`;
    /// 1 GiB unless said: a year of Le Forem's vacancies is 172 MB).
    public var maximumDocumentBytes: Int64 = 1 << 30
    /// A document of more records than this is rejected whole before anything is sent
    /// (`pickup.maxDocumentRecords`; 1,000,000 unless said: a year of Le Forem's vacancies is 258,246).
    public var maximumDocumentRecords = 1_000_000

    public init(folder: String? = nil, exportURL: String? = nil, formats: [RecordType: String], schedule: Schedule) {
        self.folder = folder
        self.exportURL = exportURL
        self.formats = formats
        self.schedule = schedule
    }
}
