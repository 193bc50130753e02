/// A document that cannot be read at all (not one bad record: the document itself), with the line
/// where reading stopped. A translation stops on it; the caller reports it as a usage-level failure.
public struct DocumentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of fault, for a receiver that must answer it with a status.
    public enum Kind: Sendable, Hashable {
        /// Not well-formed, or an envelope field missing or wrong (400).
        case malformed
        /// A well-formed document this gateway does not take: profile or taxonomy (422).
        case unsupported
        /// More records than the protocol allows in one batch (413).
        case tooLarge
    }

    public var line: Int
    public var message: String
    public var kind: Kind

    public init(line: Int, _ message: String, kind: Kind = .malformed) {
        self.line = line
        self.message = message
        self.kind = kind
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}
