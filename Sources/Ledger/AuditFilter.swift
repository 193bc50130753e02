import ExchangeProtocol
import Foundation

/// Which entries of the audit log to read, newest first, a page at a time: by actor, action and
/// period, and before an entry already seen (keyset paging on the entries' ids, so that a page
/// costs the same however long the log).
///
/// ```swift
/// let page = try await store.auditLog(AuditFilter(action: "read-payload", limit: 50))
/// let next = try await store.auditLog(AuditFilter(action: "read-payload", before: page.last?.id, limit: 50))
/// ```
public struct AuditFilter: Sendable, Equatable {
    public var actor: String?
    public var action: String?
    /// Entries at or after `since`, before `until`.
    public var since: Date?
    public var until: Date?
    /// Entries older than this one (the `id` of the last entry of the page before).
    public var before: Int64?
    /// At most this many (1 to 1,000).
    public var limit: Int

    public static let maximumLimit = 1_000

    public init(actor: String? = nil, action: String? = nil, since: Date? = nil, until: Date? = nil, before: Int64? = nil, limit: Int = 100) {
        self.actor = actor
        self.action = action
        self.since = since
        self.until = until
        self.before = before
        self.limit = limit
    }

    /// The statement both stores run.
    func statement() -> LedgerSQL {
        var conditions: [LedgerSQL] = []
        if let actor { conditions.append("actor = \(actor)") }
        if let action { conditions.append("action = \(action)") }
        if let since { conditions.append("at >= \(Instant.text(since))") }
        if let until { conditions.append("at < \(Instant.text(until))") }
        if let before { conditions.append("id < \(Int(before))") }
        var statement: LedgerSQL = "SELECT id, at, actor, action, target, reason, detail FROM audit"
        for (i, condition) in conditions.enumerated() { statement = statement + (i == 0 ? "WHERE \(condition)" : "AND \(condition)") }
        return statement + "ORDER BY id DESC LIMIT \(min(Self.maximumLimit, max(1, limit)))"
    }
}
