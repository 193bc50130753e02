/// A fault that stops a command, said so that the person at the terminal can act on it.
public struct GatewayError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
