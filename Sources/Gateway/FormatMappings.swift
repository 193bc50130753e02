import Formats
import Foundation
import Model

extension MappingsFolder {
    public var formatsFolder: String { LocalFiles.join(path, "formats") }

    public var agenciesFile: String { LocalFiles.join(path, "agencies.yaml") }

    /// Reads and checks `agencies.yaml`: a fault names file and line, and stops the start.
    public func agencyDirectory() throws -> AgencyDirectory {
        let file = agenciesFile
        guard let text = String(validating: try LocalFiles.bytes(file), as: UTF8.self) else { throw GatewayError("\(file): not valid UTF-8") }
        return try AgencyDirectoryLoader.load(yaml: text, file: file)
    }

    /// Reads and checks `agencies.yaml` and every `formats/*.yaml` against it: a fault names file
    /// and line, and stops the start.
    public func formatCatalog() throws -> FormatCatalog {
        let agencies = try agencyDirectory()
        var mappings: [FormatMapping] = []
        for name in try LocalFiles.names(in: formatsFolder) where name.hasSuffix(".yaml") {
            let file = LocalFiles.join(formatsFolder, name)
            guard let text = String(validating: try LocalFiles.bytes(file), as: UTF8.self) else {
                throw GatewayError("\(file): not valid UTF-8")
            }
            let mapping = try MappingLoader.load(yaml: text, file: file, name: String(name.dropLast(".yaml".count)), agencies: agencies)
            if let twin = mappings.first(where: { $0.format == mapping.format && $0.recordType == mapping.recordType }) {
                throw GatewayError("\(file): \(mapping.format) \(mapping.recordType.rawValue) records are mapped already, in \(twin.name).yaml")
            }
            mappings.append(mapping)
        }
        return FormatCatalog(mappings, agencies: agencies)
    }
}
