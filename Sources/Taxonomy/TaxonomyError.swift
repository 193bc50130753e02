/// A taxonomy file that cannot be used, with the file and line at fault.
public struct TaxonomyError: Error, Hashable, Sendable, CustomStringConvertible {
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
