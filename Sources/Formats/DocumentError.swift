/// A document that cannot be read at all (not one bad record: the document itself), with the line
/// where reading stopped. A translation stops on it; the caller reports it as a usage-level failure.
public struct DocumentError: Error, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}
