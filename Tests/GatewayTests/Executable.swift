import Foundation

/// The `gateway` executable as a person runs it. `.ci/run` builds it before the tests.
enum Executable {
    /// `GATEWAY_EXECUTABLE` if set; else the `gateway` built beside this test binary (the same
    /// build configuration and platform folder), else `.build/debug/gateway`.
    static let path: String = {
        if let set = ProcessInfo.processInfo.environment["GATEWAY_EXECUTABLE"], !set.isEmpty { return set }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("gateway").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return Project.root.appendingPathComponent(".build/debug/gateway").path
    }()
    static var available: Bool { FileManager.default.isExecutableFile(atPath: path) }

    static func run(_ arguments: [String], stdin: Data? = nil, timeout: Duration = .seconds(300)) async throws -> (status: Int32, out: String, err: String) {
        let r = try await ChildProgram.run(path, arguments, in: Project.root, stdin: stdin, timeout: timeout)
        return (r.status, r.out, r.err)
    }
}
