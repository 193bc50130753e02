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
///
/// Its peak memory is sampled from `/proc/PID/status` (`VmHWM`, the high-water mark of its own
/// address space) every 20 ms, not taken from `wait4`: Linux counts in a child's `ru_maxrss` the
/// parent's high-water mark at the moment of `exec` (a child of a 500 MB parent that runs
/// `/bin/true` "peaks" at 513 MB), so a benchmark that holds its batches in memory would see them
/// in every child it measures.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    let started: ContinuousClock.Instant
    private let sampler: PeakSampler

    private init(pid: pid_t, started: ContinuousClock.Instant) {
        self.pid = pid
        self.started = started
        sampler = PeakSampler(pid: pid)
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
        let peakKilobytes = sampler.stop()
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return MeasuredRun(seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                           peakMegabytes: Double(peakKilobytes) / 1024, userSeconds: seconds(usage.ru_utime), systemSeconds: seconds(usage.ru_stime),
                           status: (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F))
    }
}

/// Reads a process's `VmHWM` every 20 ms on a thread of its own until stopped; keeps the largest.
final class PeakSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var peak = 0
    private var running = true
    private let path: String

    init(pid: pid_t) {
        path = "/proc/\(pid)/status"
        let thread = Thread { [self] in
            // Until stopped, or until the process is gone (a child killed and never waited for).
            while lock.withLock({ running }), let kb = Self.highWaterMark(path) {
                lock.withLock { peak = max(peak, kb) }
                usleep(20_000)
            }
        }
        thread.start()
    }

    /// Stops sampling (the process has ended) and answers the peak in kB.
    func stop() -> Int { lock.withLock { running = false; return peak } }

    /// `VmHWM:    123456 kB` of a status file; nil once the process has ended.
    static func highWaterMark(_ path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
    }
}
