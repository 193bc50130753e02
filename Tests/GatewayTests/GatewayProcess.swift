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

    /// What the process wrote to its standard error: the beginning (where it says where it
    /// listens) and the last 256 KiB.
    private final class Kept: Sendable {
        let head = Mutex(""), text = Mutex("")
    }
    private let kept = Kept()
    /// Set by the running process's termination handler (not `waitUntilExit`, which can park a
    /// thread for good on Linux).
    private var ended = ChildProgram.Exit()
    /// What the process wrote to its standard error since its last start (the last 256 KiB).
    var output: String { kept.text.withLock { $0 } }

    /// The process's id (to signal it).
    var pid: Int32 { process?.processIdentifier ?? 0 }

    /// Starts the process and returns once it has said where it listens. Its standard error is
    /// read all along (a full pipe would block it mid-log). Throws if it stops first, or if it
    /// has not said so within `timeout` (it is then killed).
    func start(timeout: Duration = .seconds(60)) async throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Executable.path)
        p.arguments = arguments
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        let kept = self.kept
        kept.head.withLock { $0 = "" }
        kept.text.withLock { $0 = "" }
        err.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else { handle.readabilityHandler = nil; return }
            let text = String(decoding: data, as: UTF8.self)
            kept.head.withLock { if $0.utf8.count < 64 << 10 { $0 += text } }
            kept.text.withLock { $0 = String(($0 + text).suffix(256 << 10)) }
        }
        let ended = ChildProgram.Exit()
        p.terminationHandler = { _ in ended.happened.withLock { $0 = true } }
        self.ended = ended
        try p.run()
        process = p
        func announced(_ marker: String) -> String? {
            let seen = kept.head.withLock { $0 }
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

    /// Asks the process to stop (SIGTERM) and waits for it, at most `timeout`, without holding a
    /// thread; past it, kills it and throws.
    func stop(timeout: Duration = .seconds(30)) async throws -> Process {
        guard let p = process else { throw GatewayError("the gateway is not running") }
        p.terminate()
        guard try await ended.wait(timeout) else {
            kill()
            throw GatewayError("the gateway did not stop within \(timeout) of SIGTERM: \(output)")
        }
        (p.standardError as? Pipe)?.fileHandleForReading.readabilityHandler = nil
        process = nil
        return p
    }

    func kill() {
        // Nothing to do when it is not running.
        if let p = process {
            Foundation.kill(p.processIdentifier, SIGKILL)
            // A killed process ends at once; the bound is against a termination never reported.
            if !ended.waitHoldingThread(.seconds(10)) { print("GatewayProcess: no termination reported within 10 s of SIGKILL to \(p.processIdentifier)") }
            (p.standardError as? Pipe)?.fileHandleForReading.readabilityHandler = nil
            process = nil
        }
    }
}
