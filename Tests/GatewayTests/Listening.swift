import Foundation
import Synchronization

/// A server started in a task of its own, returned once it listens.
struct Listening: Sendable {
    /// Where it listens, as it announced.
    let url: String
    /// The server's task: cancel it to stop the server.
    let task: Task<Void, any Error>

    /// Runs `serve`, which calls the closure it is given with its URL once it listens, and returns
    /// then. A server that stops before it listens (a port taken) throws its error here; one that
    /// does neither within `timeout` is cancelled and a `WaitTimedOut` names `what`. Never waits
    /// for an announcement that cannot come.
    static func start(_ what: String, timeout: Duration = .seconds(30),
                      _ serve: @escaping @Sendable (_ announce: @escaping @Sendable (String) -> Void) async throws -> Void) async throws -> Listening {
        let (announced, announce) = AsyncStream<String>.makeStream()
        let task = Task {
            defer { announce.finish() }
            try await serve { announce.yield($0) }
        }
        let timedOut = Mutex(false)
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            timedOut.withLock { $0 = true }
            announce.finish()
        }
        defer { watchdog.cancel() }
        for await url in announced { return Listening(url: url, task: task) }
        if timedOut.withLock({ $0 }) {
            task.cancel()
            throw WaitTimedOut(description: "not listening within \(timeout): \(what)")
        }
        try await task.value
        throw WaitTimedOut(description: "stopped before it listened: \(what)")
    }
}
