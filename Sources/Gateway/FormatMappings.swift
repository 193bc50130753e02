import Formats
import Foundation

extension MappingsFolder {
    public var formatsFolder: String { LocalFiles.join(path, "formats") }

    /// Reads and checks every `formats/*.yaml`: a fault names file and line, and stops the start.
    public func formatCatalog() throws -> FormatCatalog {
        var mappings: [FormatMapping] = []
        for name in try LocalFiles.names(in: formatsFolder) where name.hasSuffix(".yaml") {
            let file = LocalFiles.join(formatsFolder, name)
            guard let text = String(validating: try LocalFiles.bytes(file), as: UTF8.self) else {
                throw GatewayError("\(file): not valid UTF-8")
            }
            let mapping = try MappingLoader.load(yaml: text, file: file, name: String(name.dropLast(".yaml".count)))
            if let twin = mappings.first(where: { $0.format == mapping.format && $0.recordType == mapping.recordType }) {
                throw GatewayError("\(file): \(mapping.format) \(mapping.recordType.rawValue) records are mapped already, in \(twin.name).yaml")
            }
            mappings.append(mapping)
        }
        return FormatCatalog(mappings)
    }
}
