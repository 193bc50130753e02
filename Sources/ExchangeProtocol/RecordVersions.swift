import Model

/// What the receiver does with one record, given what it already holds for (origin, id)
/// (`exchange-protocol.md`, Idempotency and record versions).
public enum VersionDecision: Equatable, Sendable {
    /// A version not seen before: stored and delivered onward.
    case accept
    /// The same version with the same content: counted, not delivered again.
    case duplicate
    /// The same version with other content.
    case conflict
    /// A lower version than the one held.
    case stale(held: Int)

    /// The latest version the receiver holds of a record (the highest accepted) and its content's digest.
    public struct Held: Equatable, Sendable {
        public var version: Int
        public var digest: String
        public init(version: Int, digest: String) { self.version = version; self.digest = digest }
    }

    /// The protocol's rule, row by row: nothing held or a higher version, accepted; the held version
    /// with the same content, a duplicate; with other content, `VERSION_CONFLICT`; a lower version,
    /// `STALE_VERSION` whatever its content (even one that equals an older version received before).
    public static func decide(version: Int, digest: String, held: Held?) -> VersionDecision {
        guard let held, version <= held.version else { return .accept }
        guard version == held.version else { return .stale(held: held.version) }
        return digest == held.digest ? .duplicate : .conflict
    }

    /// The rejection a receipt lists for a refused record.
    public var rejection: (code: RejectionCode, message: String)? {
        switch self {
        case .accept, .duplicate: nil
        case .conflict: (.versionConflict, "this version was received before with other content")
        case .stale(let held): (.staleVersion, "version \(held) is held already; a lower version is not taken")
        }
    }
}
