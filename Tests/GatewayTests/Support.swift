import Foundation
import Gateway
import Testing

enum Project {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mappings = MappingsFolder(path: root.appendingPathComponent("mappings").path)
    static let sharedData = root.deletingLastPathComponent().appendingPathComponent("shared/data")
    static let romeV3 = sharedData.appendingPathComponent("rome-v3/arbo_rome_ogr_202107.csv").path
    static let romeV4 = sharedData.appendingPathComponent("rome-v4").path
    static var sharedDataAvailable: Bool { FileManager.default.fileExists(atPath: romeV3) }
    static let skipMessage: Comment = "../shared/data (official ROME files) is absent: skipped"
}

/// A temporary folder removed when the test ends.
final class TemporaryFolder {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-\(UUID().uuidString)")
    init() { try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws -> String {
        let p = path(name)
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    /// Key files readable by their owner only (as `gateway serve` requires), each holding
    /// `TemporaryFolder.key(name)`: a key of its own, since a gateway refuses one key for two uses.
    func keys(_ names: String...) throws {
        for name in names {
            let key = try write(name, Self.key(name))
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        }
    }

    /// The key `keys` writes into the file `name`: the name, then 32 characters.
    static func key(_ name: String) -> String { "\(name):0123456789abcdef0123456789abcdef" }
    static func keyBytes(_ name: String) -> [UInt8] { Array(key(name).utf8) }

    /// A copy of the project's mappings folder, to break on purpose.
    func mappingsCopy() throws -> MappingsFolder {
        let target = path("mappings")
        try FileManager.default.copyItem(atPath: Project.mappings.path, toPath: target)
        return MappingsFolder(path: target)
    }
}

/// Waiting for a condition with a deadline, never a sleep that hopes.
enum Wait {
    /// Checks `condition` every 50 ms until it holds; past `timeout`, fails the test naming `what`.
    static func until(_ what: String, timeout: Duration, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        if try await condition() { return }
        throw WaitTimedOut(description: "not within \(timeout): \(what)")
    }
}

struct WaitTimedOut: Error, CustomStringConvertible { var description: String }

extension OperatorTokens {
    /// The tokens of `OperatorTokens.make` lines, as a tokens file would give them.
    static func of(_ made: (token: String, line: String)...) -> OperatorTokens {
        OperatorTokens(entries: made.map { m in
            let f = m.line.split(separator: " ").map(String.init)
            return (f[0], OperatorTokens.Role(rawValue: f[1])!, f[2])
        })
    }
}
