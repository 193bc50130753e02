import Foundation
import Synchronization
import Testing

extension Trait where Self == BoundedTrait {
    /// Every suite's bound on one test, or one case of a parameterised test: one that waits for
    /// what never comes is cancelled and fails here, named, instead of holding the whole run until
    /// CI's limit. The slowest (the synthetic year, the kills) take about three minutes.
    /// `GATEWAY_TEST_TIME_LIMIT=90` (seconds) sets a tighter bound, to hunt for a stuck test.
    public static var bounded: Self {
        let seconds = ProcessInfo.processInfo.environment["GATEWAY_TEST_TIME_LIMIT"].flatMap { Int($0) } ?? 600
        return BoundedTrait(limit: .seconds(seconds), grace: .seconds(min(120, seconds)))
    }
}

/// A time limit on each test case that holds even when the test does not answer cancellation.
///
/// Swift Testing's own `.timeLimit` cancels a test that runs too long, then waits for it: a test
/// blocked where cancellation cannot reach (a thread parked in a synchronous wait, a future that
/// never completes) holds the whole run until CI kills it, and the log says nothing of which.
/// Past `limit` this trait records the issue and cancels the test, as `.timeLimit` does; past
/// `limit + grace` a watchdog on a thread of its own (not one of the cooperative pool's, which the
/// stuck test may hold) writes every test still running with its time, and ends the process with
/// a failure.
public struct BoundedTrait: TestTrait, SuiteTrait, TestScoping {
    public let limit: Duration
    public let grace: Duration

    public init(limit: Duration, grace: Duration) {
        self.limit = limit
        self.grace = grace
    }

    public var isRecursive: Bool { true }

    /// Each test case, not the suites around them.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let name = "\"\(test.displayName ?? test.name)\" (\(test.sourceLocation.fileName):\(test.sourceLocation.line))"
        let watched = Watchdog.shared.watch(name, for: limit + grace)
        defer { Watchdog.shared.unwatch(watched) }
        let limit = self.limit
        try await withoutActuallyEscaping(function) { function in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask { try await function(); return true }
                group.addTask { try await Task.sleep(for: limit); return false }
                // The first to end: the test (its error, if any, is the test's), or the limit.
                if try await group.next() == false {
                    Issue.record("Time limit exceeded: not finished within \(limit); the test is cancelled", sourceLocation: test.sourceLocation)
                }
                group.cancelAll()
            }
        }
    }
}

/// The tests running under `BoundedTrait`, each with its deadline, checked every second by a
/// thread of its own.
public final class Watchdog: Sendable {
    public static let shared = Watchdog()

    private struct Watched {
        var name: String
        var started: ContinuousClock.Instant
        var deadline: ContinuousClock.Instant
    }
    private let watched = Mutex<[UInt64: Watched]>([:])
    private let next = Atomic<UInt64>(0)

    private init() {
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 1)
                check(now: .now)
            }
        }
        thread.name = "test watchdog"
        thread.start()
    }

    func watch(_ name: String, for bound: Duration) -> UInt64 {
        let id = next.add(1, ordering: .relaxed).newValue
        let now = ContinuousClock.now
        watched.withLock { $0[id] = Watched(name: name, started: now, deadline: now + bound) }
        return id
    }

    func unwatch(_ id: UInt64) {
        _ = watched.withLock { $0.removeValue(forKey: id) }
    }

    private func check(now: ContinuousClock.Instant) {
        let running = watched.withLock { Array($0.values) }
        guard let stuck = running.first(where: { $0.deadline < now }) else { return }
        var report = "\nTEST WATCHDOG: \(stuck.name) has not ended \((stuck.deadline - stuck.started).components.seconds) s after it started, though cancelled: "
            + "it waits where cancellation cannot reach. The run stops here. Tests still running:\n"
        for test in running.sorted(by: { $0.started < $1.started }) {
            report += "  \(test.name), for \((now - test.started).components.seconds) s\n"
        }
        fflush(nil)   // every stream: what the tests logged before
        FileHandle.standardError.write(Data(report.utf8))
        exit(3)
    }
}
