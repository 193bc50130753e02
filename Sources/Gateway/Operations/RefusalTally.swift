import ExchangeProtocol
import Foundation
import Ledger

/// Refused tokens, counted instead of written one by one: the first refusal of an actor from a
/// source address in a minute is an audit entry at once (with the target, cut as
/// `OperatorAccess.target` cuts it); the others of that minute are counted, and written as one
/// entry ("999 more refused from 192.0.2.7 …") when the minute is over or when the audit log is
/// read. So a thousand requests with a bad token cost two rows, not a thousand, and an operator's
/// reads stay in view. At most `maximumSources` pairs are counted apart; past it, the others are
/// counted under the source "other addresses". The token itself is never kept.
///
/// ```swift
/// for entry in await tally.refused(actor: "api:unknown token", target: "GET /admin/v1/batches",
///                                   detail: "no operator has this token", source: "192.0.2.7", now: Date()) {
///     try await store.audit(entry, now: Date())
/// }
/// ```
public actor RefusalTally {
    private struct Key: Hashable {
        var source: String
        var actor: String
    }

    private struct Count {
        var since: Date
        var last: Date
        var more = 0
        var lastTarget: String
        var detail: String
    }

    /// How long refusals of one pair are counted before their count is written.
    public let window: TimeInterval
    public let maximumSources: Int
    private var counts: [Key: Count] = [:]

    public init(window: TimeInterval = 60, maximumSources: Int = 1_000) {
        self.window = window
        self.maximumSources = maximumSources
    }

    /// Notes a refusal; returns the audit entries to write now (the first of its minute, and the
    /// counts of minutes over).
    public func refused(actor: String, target: String, detail: String, source: String?, now: Date) -> [AuditEntry] {
        var due = flush(now: now, all: false)
        var key = Key(source: source ?? "an unknown address", actor: actor)
        if counts[key] == nil, counts.count >= maximumSources { key.source = "other addresses" }
        if var count = counts[key] {
            count.more += 1
            count.last = now
            count.lastTarget = target
            counts[key] = count
        } else {
            counts[key] = Count(since: now, last: now, lastTarget: target, detail: detail)
            due.append(AuditEntry(actor: actor, action: "refused-token", target: target, reason: nil, detail: "\(detail); from \(key.source)"))
        }
        return due
    }

    /// The counts to write: of minutes over, or (`all`) every one, as when the audit log is read.
    public func flush(now: Date, all: Bool) -> [AuditEntry] {
        var due: [AuditEntry] = []
        for (key, count) in counts where all || now.timeIntervalSince(count.since) >= window {
            counts[key] = nil
            guard count.more > 0 else { continue }
            let span = "\(Instant.text(count.since)) to \(Instant.text(count.last))"
            due.append(AuditEntry(actor: key.actor, action: "refused-token", target: count.lastTarget, reason: nil,
                                  detail: "\(count.more) more refused from \(key.source), \(span) (\(count.detail)); the target is the last one's"))
        }
        return due.sorted { $0.detail ?? "" < $1.detail ?? "" }
    }
}
