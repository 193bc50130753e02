import Foundation

/// python3, for the profile validator (`../shared/specs/validate_records.py`) and small checks.
enum Python {
    /// python3 with jsonschema, which validate_records.py needs.
    static let available = ChildProgram.succeeds("/usr/bin/env", ["python3", "-c", "import jsonschema"])

    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let r = try await ChildProgram.run("/usr/bin/env", ["python3"] + arguments, mergingOutput: true)
        return (r.status, r.out)
    }
}
