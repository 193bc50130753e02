import Foundation
import Synchronization

/// A program run to its end from a test, without holding one of the few threads of Swift's
/// cooperative pool while it runs (the pool has as many threads as cores: two here; a test that
/// blocked one in `waitUntilExit` while the program talks to a server in this process, and
/// another test doing the same, would leave that server no thread to answer on).
///
/// Its output goes to files, not pipes, so a program that writes much to one stream while the
/// other is read cannot block; past `timeout` it is terminated, then killed, and the run throws.
struct ChildProgram {
    struct Result: Sendable {
        var status: Int32
        var reason: Process.TerminationReason
        var out: String
        var err: String
    }

    struct TimedOut: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `executable` with `arguments`; `stdin` is its standard input (empty without one).
    /// With `mergingOutput`, standard error goes to `out` as well.
    static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil,
                    stdin: Data? = nil, mergingOutput: Bool = false, timeout: Duration = .seconds(300)) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outFile = folder.appendingPathComponent("out"), errFile = folder.appendingPathComponent("err"), inFile = folder.appendingPathComponent("in")
        try (stdin ?? Data()).write(to: inFile)
        for file in [outFile, errFile] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        let out = try FileHandle(forWritingTo: outFile), err = try FileHandle(forWritingTo: errFile), input = try FileHandle(forReadingFrom: inFile)
        defer { try? out.close(); try? err.close(); try? input.close() }

        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = directory }
        if let environment { p.environment = environment }
        p.standardOutput = out
        p.standardError = mergingOutput ? out : err
        p.standardInput = input
        let ended = Exit()
        p.terminationHandler = { _ in ended.happened.withLock { $0 = true } }
        try p.run()
        let command = ([executable] + arguments).joined(separator: " ")
        // A test cancelled meanwhile (its time limit) stops the program too.
        let finished: Bool
        do { finished = try await ended.wait(timeout) } catch {
            p.terminate()
            throw error
        }
        if !finished {
            p.terminate()
            if try await !ended.wait(.seconds(5)) { kill(p.processIdentifier, SIGKILL) }
            _ = try await ended.wait(.seconds(5))
            throw TimedOut(description: "not finished within \(timeout), stopped: \(command)\n\(text(errFile))\(text(outFile))")
        }
        return Result(status: p.terminationStatus, reason: p.terminationReason, out: text(outFile), err: text(errFile))
    }

    /// Whether the process has ended, as its termination handler says.
    final class Exit: Sendable {
        let happened = Mutex(false)

        /// Checks every 10 ms, at most `timeout`; whether it ended.
        func wait(_ timeout: Duration) async throws -> Bool {
            let deadline = ContinuousClock.now + timeout
            while !happened.withLock({ $0 }) {
                guard ContinuousClock.now < deadline else { return false }
                try await Task.sleep(for: .milliseconds(10))
            }
            return true
        }

        /// The same, holding the thread (for synchronous callers: a `defer`, a `static let`):
        /// bounded, where `Process.waitUntilExit` can park its thread for good on Linux when called
        /// off the main thread (it waits on a run loop for news of an exit that may never reach it).
        func waitHoldingThread(_ timeout: Duration) -> Bool {
            let deadline = ContinuousClock.now + timeout
            while !happened.withLock({ $0 }) {
                guard ContinuousClock.now < deadline else { return false }
                usleep(10_000)
            }
            return true
        }
    }

    /// Whether a short program (`python3 -c …`, `schemathesis --version`) runs and succeeds,
    /// waited for at most 60 s: for the conditions that enable a suite.
    static func succeeds(_ executable: String, _ arguments: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let ended = Exit()
        p.terminationHandler = { _ in ended.happened.withLock { $0 = true } }
        guard (try? p.run()) != nil else { return false }
        guard ended.waitHoldingThread(.seconds(60)) else { p.terminate(); return false }
        return p.terminationStatus == 0
    }

    private static func text(_ file: URL) -> String {
        String(decoding: (try? Data(contentsOf: file)) ?? Data(), as: UTF8.self)
    }
}
