import Model

/// The formats in force, by name and record type: the regional formats of `mappings/formats/` and
/// the exchange profile in its two forms.
public struct FormatCatalog: Sendable {
    public let formats: [any RecordFormat]
    /// The agencies the formats were checked against (`mappings/agencies.yaml`).
    public let agencies: AgencyDirectory

    public init(_ mapped: [FormatMapping], agencies: AgencyDirectory = .profile) {
        self.agencies = agencies
        formats = mapped + RecordType.allCases.flatMap { type in
            [ExchangeFormat(form: .json, recordType: type, agencies: agencies), ExchangeFormat(form: .xml, recordType: type, agencies: agencies)] as [any RecordFormat]
        }
    }

    public var names: [String] { Array(Set(formats.map(\.format))).sorted() }

    public func format(_ name: String, type: RecordType) -> (any RecordFormat)? {
        formats.first { $0.format == name && $0.recordType == type }
    }

    /// The mapping file behind a regional format, if it is one.
    public func mapping(format name: String, type: RecordType) -> FormatMapping? {
        format(name, type: type) as? FormatMapping
    }

    /// The record types a format holds.
    public func types(of name: String) -> [RecordType] {
        RecordType.allCases.filter { format(name, type: $0) != nil }
    }
}
