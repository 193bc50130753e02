import Foundation

/// Debian's headless Chromium, which `.ci/run` installs.
enum Chromium {
    static let path = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var available: Bool { path != nil }
    /// CI sets GATEWAY_REQUIRE_BROWSER=1: there a missing Chromium is a failure, not a skip.
    static let required = ProcessInfo.processInfo.environment["GATEWAY_REQUIRE_BROWSER"] == "1"

    /// Runs it headless on a URL with extra arguments; returns standard output.
    static func run(_ arguments: [String]) async throws -> (status: Int32, out: String) {
        let r = try await ChildProgram.run(path!, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars"] + arguments,
                                           timeout: .seconds(120))
        return (r.status, r.out)
    }
}
