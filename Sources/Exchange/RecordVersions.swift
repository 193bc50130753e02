import Formats
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

    /// `held` is the highest version held and the digest of its content.
    public static func decide(version: Int, digest: String, held: (version: Int, digest: String)?, sameVersionDigest: String?) -> VersionDecision {
        if let sameVersionDigest { return sameVersionDigest == digest ? .duplicate : .conflict }
        if let held, version < held.version { return .stale(held: held.version) }
        return .accept
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

extension CanonicalRecord {
    /// SHA-256 of the record's exchange-profile JSON: the same content gives the same digest on
    /// every gateway, whatever format it arrived in.
    public var contentDigest: String { sha256Hex(ExchangeFormat.canonicalJSON(self)) }
}
