/// The format mappings in force, by format name and record type.
public struct FormatCatalog: Sendable {
    public let mappings: [FormatMapping]

    public init(_ mappings: [FormatMapping]) { self.mappings = mappings }

    public var formats: [String] { Array(Set(mappings.map(\.format))).sorted() }

    public func mapping(format: String, type: RecordType) -> FormatMapping? {
        mappings.first { $0.format == format && $0.recordType == type }
    }

    /// The record types a format holds.
    public func types(of format: String) -> [RecordType] {
        RecordType.allCases.filter { mapping(format: format, type: $0) != nil }
    }
}
