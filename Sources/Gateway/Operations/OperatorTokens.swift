import ExchangeHTTP
import ExchangeProtocol
import Foundation
import Model

/// The operators allowed on the admin API, from a file of `name role sha256(token) [grants]` lines:
/// tokens are stored hashed, never in clear. `stats` may read the statistics and the dashboard;
/// `read` may also list and show batches and records; `operator` may also resubmit and repair, and
/// read the payloads of vacancy batches. Reading a trainee batch's payload (names, national numbers)
/// needs the grant `trainee-payloads` besides. `gateway operators add` makes a token and appends
/// its line.
public struct OperatorTokens: Sendable {
    public enum Role: String, Sendable, Comparable, CaseIterable {
        case stats, read, `operator`
        var rank: Int { Self.allCases.firstIndex(of: self)! }
        public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
    }

    /// Rights beyond a role.
    public enum Grant: String, Sendable, CaseIterable {
        /// The payloads of trainee batches (personal data), for an operator.
        case traineePayloads = "trainee-payloads"
    }

    public struct Operator: Sendable, Equatable {
        public var name: String
        public var role: Role
        public var grants: Set<Grant>
        public init(name: String, role: Role, grants: Set<Grant> = []) {
            self.name = name
            self.role = role
            self.grants = grants
        }
    }

    private let byHash: [String: Operator]

    public init(entries: [(name: String, role: Role, sha256: String)]) {
        self.init(granted: entries.map { ($0.name, $0.role, $0.sha256, []) })
    }

    public init(granted entries: [(name: String, role: Role, sha256: String, grants: Set<Grant>)]) {
        var map: [String: Operator] = [:]
        for e in entries { map[e.sha256] = Operator(name: e.name, role: e.role, grants: e.grants) }
        byHash = map
    }

    public static let none = OperatorTokens(entries: [])
    public var isEmpty: Bool { byHash.isEmpty }
    /// How many operators hold a token.
    public var count: Int { byHash.count }

    /// Reads the file; a fault names the file and line.
    public static func load(_ path: String) throws -> OperatorTokens {
        let text = String(decoding: try LocalFiles.bytes(path), as: UTF8.self)
        var entries: [(String, Role, String, Set<Grant>)] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard (3...4).contains(fields.count), let role = Role(rawValue: fields[1]), fields[2].count == 64,
                  fields[2].utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
                throw SourceFault(file: path, line: i + 1, "expected: name role sha256-of-token [grants] (role stats, read or operator, 64 lower-case hex digits)")
            }
            var grants: Set<Grant> = []
            for text in fields.count == 4 ? fields[3].split(separator: ",").map(String.init) : [] {
                guard let grant = Grant(rawValue: text) else {
                    throw SourceFault(file: path, line: i + 1, "'\(text.prefix(32))' is not a grant (\(Grant.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                guard role == .operator else { throw SourceFault(file: path, line: i + 1, "\(text) is granted to operator tokens only") }
                grants.insert(grant)
            }
            entries.append((fields[0], role, fields[2], grants))
        }
        return OperatorTokens(granted: entries)
    }

    /// The operator a bearer token names, if any.
    public func check(_ token: String) -> Operator? { byHash[Self.hash(token)] }

    /// The operator whose token has this hash (a signed-in session keeps the hash only).
    public func check(hash: String) -> Operator? { byHash[hash] }

    public static func hash(_ token: String) -> String { sha256Hex(Array(token.utf8)) }

    /// A new random token (64 hex digits) and the line to append for it.
    public static func make(name: String, role: Role, grants: Set<Grant> = []) -> (token: String, line: String) {
        var random = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
        let granted = grants.map(\.rawValue).sorted().joined(separator: ",")
        return (token, "\(name) \(role.rawValue) \(hash(token))" + (granted.isEmpty ? "" : " " + granted))
    }
}
