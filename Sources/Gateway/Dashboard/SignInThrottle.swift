import Foundation

/// Wrong tokens at `/login`, by source address: the first `free` are answered at once (a typo, a
/// token pasted badly); after them each further one makes the source wait, 1 s, then 2, 4, … up
/// to `longest`, during which its sign-ins are answered 429 with `Retry-After` before any token is
/// looked at. A right token clears the source; one with no wrong token for `forget` starts afresh.
/// At most `maximumSources` sources are remembered (the least recent forgotten first).
///
/// ```swift
/// if let wait = await throttle.wait(source: address, now: Date()) { /* 429, Retry-After: wait */ }
/// ```
public actor SignInThrottle {
    private struct Failures {
        var count: Int
        var last: Date
        /// No token of the source is looked at before then.
        var until: Date?
    }

    public let free: Int
    public let longest: TimeInterval
    public let forget: TimeInterval
    public let maximumSources: Int
    private var sources: [String: Failures] = [:]

    public init(free: Int = 5, longest: TimeInterval = 300, forget: TimeInterval = 900, maximumSources: Int = 10_000) {
        self.free = free
        self.longest = longest
        self.forget = forget
        self.maximumSources = maximumSources
    }

    private static func key(_ source: String?) -> String { source ?? "an unknown address" }

    /// How long the source must still wait (nil: its sign-in may be tried now).
    public func wait(source: String?, now: Date) -> TimeInterval? {
        guard let until = sources[Self.key(source)]?.until, until > now else { return nil }
        return until.timeIntervalSince(now)
    }

    /// A wrong token from the source; returns how long it must now wait (nil: not yet).
    @discardableResult
    public func failed(source: String?, now: Date) -> TimeInterval? {
        let key = Self.key(source)
        var failures = sources[key].flatMap { now.timeIntervalSince($0.last) < forget ? $0 : nil } ?? Failures(count: 0, last: now)
        failures.count += 1
        failures.last = now
        var wait: TimeInterval?
        if failures.count > free {
            wait = min(longest, pow(2, Double(min(failures.count - free - 1, 30))))
            failures.until = now.addingTimeInterval(wait!)
        }
        if sources[key] == nil, sources.count >= maximumSources, let oldest = sources.min(by: { $0.value.last < $1.value.last })?.key {
            sources[oldest] = nil
        }
        sources[key] = failures
        return wait
    }

    /// A right token from the source: it starts afresh.
    public func succeeded(source: String?) {
        sources[Self.key(source)] = nil
    }
}
