import Foundation

/// python3, for the profile validator (`../shared/specs/validate_records.py`) and small checks.
enum Python {
    /// python3 with jsonschema, which validate_records.py needs.
    static let available: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import jsonschema"]
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let r = try await ChildProgram.run("/usr/bin/env", ["python3"] + arguments, mergingOutput: true)
        return (r.status, r.out)
    }
}
