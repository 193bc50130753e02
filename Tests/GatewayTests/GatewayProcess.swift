import Foundation
import Gateway
import Synchronization

/// A gateway process that can be killed with SIGKILL and started again on the same files.
final class GatewayProcess {
    let arguments: [String]
    let marker: String
    let adminMarker: String?
    var process: Process?
    /// The exchange's URL, and the admin listener's (`gateway serve`).
    var url = ""
    var adminURL = ""

    /// `gateway serve` with this configuration.
    convenience init(config: String) {
        self.init(arguments: ["serve", "--config", config], marker: "gateway listening on ", adminMarker: "admin listening on ")
    }

    /// `gateway` with these arguments, started once it writes `marker` and its URL on a line (and
    /// `adminMarker` and another).
    init(arguments: [String], marker: String, adminMarker: String? = nil) {
        self.arguments = arguments
        self.marker = marker
        self.adminMarker = adminMarker
    }

    /// Where the process writes its standard error since its last start: a file, not a pipe. A
    /// pipe's read end watched by a `readabilityHandler` and torn down with its process crashes
    /// the test process now and then on Linux (libdispatch, `_dispatch_event_loop_drain`, on a
    /// dangling epoll registration: swift-corelibs-foundation#5507), seen twice here after the
    /// fuzzing test stopped its gateway; a file has no dispatch source to tear down.
    private var errFile: URL?
    private var errHandle: FileHandle?
    /// Set by the running process's termination handler (not `waitUntilExit`, which can park a
    /// thread for good on Linux).
    private var ended = ChildProgram.Exit()
    /// What the process wrote to its standard error since its last start (the last 256 KiB).
    var output: String { errFile.map { Self.read($0, last: 256 << 10) } ?? "" }

    /// The process's id (to signal it).
    var pid: Int32 { process?.processIdentifier ?? 0 }

    deinit {
        try? errHandle?.close()
        if let errFile { try? FileManager.default.removeItem(at: errFile) }
    }

    /// Starts the process and returns once it has said where it listens. Throws if it stops
    /// first, or if it has not said so within `timeout` (it is then killed).
    func start(timeout: Duration = .seconds(60)) async throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Executable.path)
        p.arguments = arguments
        try? errHandle?.close()
        if let errFile { try? FileManager.default.removeItem(at: errFile) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        (errFile, errHandle) = (file, handle)
        p.standardError = handle
        p.standardOutput = FileHandle.nullDevice
        let ended = ChildProgram.Exit()
        p.terminationHandler = { _ in ended.happened.withLock { $0 = true } }
        self.ended = ended
        try p.run()
        process = p
        func announced(_ marker: String) -> String? {
            let seen = Self.read(file, first: 64 << 10)
            guard seen.contains(marker), seen.components(separatedBy: marker).last!.contains("\n") else { return nil }
            return seen.components(separatedBy: marker).last!.components(separatedBy: "\n")[0]
        }
        let deadline = ContinuousClock.now + timeout
        while announced(marker) == nil || adminMarker.map({ announced($0) == nil }) == true {
            guard !ended.happened.withLock({ $0 }) else { throw GatewayError("the gateway stopped before listening: \(output)") }
            guard ContinuousClock.now < deadline else {
                kill()
                throw GatewayError("the gateway did not say where it listens within \(timeout): \(output)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        url = announced(marker)!
        adminURL = adminMarker.flatMap(announced) ?? ""
    }

    /// The first `first` bytes of a file, or its last `last`, as text.
    private static func read(_ file: URL, first: Int? = nil, last: Int? = nil) -> String {
        guard let h = try? FileHandle(forReadingFrom: file) else { return "" }
        defer { try? h.close() }
        if let last, let size = try? h.seekToEnd() { try? h.seek(toOffset: size > UInt64(last) ? size - UInt64(last) : 0) }
        let data = first.map { try? h.read(upToCount: $0) } ?? (try? h.readToEnd())
        return String(decoding: data ?? Data(), as: UTF8.self)
    }

    /// Asks the process to stop (SIGTERM) and waits for it, at most `timeout`, without holding a
    /// thread; past it, kills it and throws.
    func stop(timeout: Duration = .seconds(30)) async throws -> Process {
        guard let p = process else { throw GatewayError("the gateway is not running") }
        p.terminate()
        guard try await ended.wait(timeout) else {
            kill()
            throw GatewayError("the gateway did not stop within \(timeout) of SIGTERM: \(output)")
        }
        process = nil
        return p
    }

    func kill() {
        // Nothing to do when it is not running.
        if let p = process {
            Foundation.kill(p.processIdentifier, SIGKILL)
            // A killed process ends at once; the bound is against a termination never reported.
            if !ended.waitHoldingThread(.seconds(10)) { print("GatewayProcess: no termination reported within 10 s of SIGKILL to \(p.processIdentifier)") }
            process = nil
        }
    }
}
