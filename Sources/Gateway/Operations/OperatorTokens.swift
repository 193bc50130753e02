import Exchange
import Foundation
import Model

/// The operators allowed on the admin API, from a file of `name role sha256(token)` lines: tokens
/// are stored hashed, never in clear. `stats` may read the statistics and the dashboard; `read` may
/// also list and show batches and records; `operator` may also resubmit and repair.
/// `gateway operators add` makes a token and appends its line.
public struct OperatorTokens: Sendable {
    public enum Role: String, Sendable, Comparable, CaseIterable {
        case stats, read, `operator`
        var rank: Int { Self.allCases.firstIndex(of: self)! }
        public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
    }

    public struct Operator: Sendable, Equatable {
        public var name: String
        public var role: Role
        public init(name: String, role: Role) {
            self.name = name
            self.role = role
        }
    }

    private let byHash: [String: Operator]

    public init(entries: [(name: String, role: Role, sha256: String)]) {
        var map: [String: Operator] = [:]
        for e in entries { map[e.sha256] = Operator(name: e.name, role: e.role) }
        byHash = map
    }

    public static let none = OperatorTokens(entries: [])
    public var isEmpty: Bool { byHash.isEmpty }

    /// Reads the file; a fault names the file and line.
    public static func load(_ path: String) throws -> OperatorTokens {
        let text = String(decoding: try LocalFiles.bytes(path), as: UTF8.self)
        var entries: [(String, Role, String)] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count == 3, let role = Role(rawValue: fields[1]), fields[2].count == 64,
                  fields[2].utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
                throw SourceFault(file: path, line: i + 1, "expected: name role sha256-of-token (role stats, read or operator, 64 lower-case hex digits)")
            }
            entries.append((fields[0], role, fields[2]))
        }
        return OperatorTokens(entries: entries)
    }

    /// The operator a bearer token names, if any.
    public func check(_ token: String) -> Operator? { byHash[Self.hash(token)] }

    public static func hash(_ token: String) -> String { sha256Hex(Array(token.utf8)) }

    /// A new random token (64 hex digits) and the line to append for it.
    public static func make(name: String, role: Role) -> (token: String, line: String) {
        var random = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
        return (token, "\(name) \(role.rawValue) \(hash(token))")
    }
}
