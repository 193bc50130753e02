import Foundation

/// A row as both stores read it, by column name; a NULL or a missing column where a value is
/// required is an error, not a crash.
public protocol LedgerRow {
    func optionalString(_ column: String) throws -> String?
    func optionalInt(_ column: String) throws -> Int?
    func optionalDouble(_ column: String) throws -> Double?
    func bytes(_ column: String) throws -> Data?
}

/// A required column that was NULL or absent.
public struct MissingColumn: Error, CustomStringConvertible {
    public let column: String
    public var description: String { "the ledger's row has no value for \(column)" }
}

/// A column whose value is none of the codes its type knows (a ledger written by a later version?).
public struct UnknownCode: Error, CustomStringConvertible {
    public let column: String
    public let value: String
    public var description: String { "the ledger's \(column) holds \(value.prefix(40)), which this version does not know" }
}

extension LedgerRow {
    public func string(_ column: String) throws -> String {
        guard let value = try optionalString(column) else { throw MissingColumn(column: column) }
        return value
    }

    public func int(_ column: String) throws -> Int {
        guard let value = try optionalInt(column) else { throw MissingColumn(column: column) }
        return value
    }

    /// A column holding one of a ledger enum's codes; another value is an error that names it.
    public func code<Code: RawRepresentable<String>>(_ column: String, as type: Code.Type = Code.self) throws -> Code {
        let text = try string(column)
        guard let value = Code(rawValue: text) else { throw UnknownCode(column: column, value: text) }
        return value
    }

    public func double(_ column: String) throws -> Double {
        guard let value = try optionalDouble(column) else { throw MissingColumn(column: column) }
        return value
    }
}
