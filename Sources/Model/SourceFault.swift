/// A fault in a file the gateway reads — a mapping, a taxonomy table, an official ROME file — with
/// the file and the line at fault, so that the person who maintains it can go straight there.
public struct SourceFault: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file as the user named it (or its name inside a folder).
    public var file: String
    /// 1-based line; 0 when the fault is the file as a whole.
    public var line: Int
    public var message: String

    public init(file: String, line: Int, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}
