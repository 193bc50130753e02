/// A store fault that is not the database's own.
public struct LedgerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A store whose content breaks its own rules: restore it from a backup or import again.
public enum StoreError: Error, CustomStringConvertible {
    case corrupt(String)
    /// Asked of a store that already holds something else.
    case notEmpty(String)

    public var description: String {
        switch self {
        case .corrupt(let what): "the store is corrupt: \(what)"
        case .notEmpty(let what): what
        }
    }
}
