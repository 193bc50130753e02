import Foundation

/// A program run as a child process and measured: wall time, the child's own peak resident memory
/// and CPU time (from `wait4`), so that programs compared in one benchmark are measured alike.
public struct MeasuredRun: Sendable {
    public var seconds: Double
    public var peakMegabytes: Double
    /// CPU seconds the child used, in user space and in the kernel.
    public var userSeconds: Double = 0
    public var systemSeconds: Double = 0
    public var status: Int32

    /// Runs the program to its end.
    public static func run(_ executable: String, _ arguments: [String], stdout: String? = nil) throws -> MeasuredRun {
        try ChildProcess.start(executable, arguments, stdout: stdout ?? "/dev/null", stderr: "/dev/null").wait()
    }
}

/// A child process started with its standard output and error sent to files, waited for later.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    let started: ContinuousClock.Instant

    private init(pid: pid_t, started: ContinuousClock.Instant) {
        self.pid = pid
        self.started = started
    }

    public static func start(_ executable: String, _ arguments: [String], stdout: String, stderr: String) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let started = ContinuousClock.now
        let spawned = posix_spawnp(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw GatewayError("\(executable) could not be started (\(String(cString: strerror(spawned))))") }
        return ChildProcess(pid: pid, started: started)
    }

    public func signal(_ number: Int32) { kill(pid, number) }

    /// Waits for the end and measures: wall time since start, peak memory, CPU time, exit status.
    public func wait() -> MeasuredRun {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        let elapsed = ContinuousClock.now - started
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return MeasuredRun(seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                           peakMegabytes: Double(usage.ru_maxrss) / 1024, userSeconds: seconds(usage.ru_utime), systemSeconds: seconds(usage.ru_stime),
                           status: (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F))
    }
}
