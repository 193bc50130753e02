import Foundation
import Synchronization

/// Lets through one log line per kind and `window`, and counts the rest: the next line let
/// through says how many were held back. So that a stranger sending thousands of unsigned
/// requests a second writes a line a minute, not 167 bytes a request. Kinds should be few (a
/// peer or "unknown", and a status), as they are kept.
///
/// ```swift
/// if let held = sampler.admit("unknown 401", now: Date()) {
///     logger.notice("batch refused", metadata: ["held_back": "\(held)"])
/// }
/// ```
public final class LogSampler: Sendable {
    private struct Window {
        var start: Date
        var held: Int
    }

    public let window: TimeInterval
    private let windows = Mutex<[String: Window]>([:])

    public init(window: TimeInterval = 60) {
        self.window = window
    }

    /// nil: hold this line back (counted); else log it, saying how many of its kind were held back
    /// since the last one logged.
    public func admit(_ kind: String, now: Date) -> Int? {
        windows.withLock { windows in
            if var w = windows[kind], now.timeIntervalSince(w.start) < window {
                w.held += 1
                windows[kind] = w
                return nil
            }
            let held = windows[kind]?.held ?? 0
            windows[kind] = Window(start: now, held: 0)
            return held
        }
    }
}
