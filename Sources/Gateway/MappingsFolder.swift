import Foundation
import Model
import Taxonomy

/// The folder of declarative mappings (`mappings/`): regional formats and the taxonomy overlays.
public struct MappingsFolder: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The folder named explicitly, else `$GATEWAY_MAPPINGS`, else `./mappings`, else the first
    /// `mappings/` found going up from the executable (so that `.build/debug/gateway` finds the
    /// project's own).
    public static func locate(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                              executable: String = CommandLine.arguments.first ?? "") throws -> MappingsFolder {
        if let explicit { return try checked(explicit, why: "--mappings") }
        if let fromEnvironment = environment["GATEWAY_MAPPINGS"], !fromEnvironment.isEmpty {
            return try checked(fromEnvironment, why: "GATEWAY_MAPPINGS")
        }
        var candidates = [FileManager.default.currentDirectoryPath + "/mappings"]
        var folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder.appendingPathComponent("mappings").path)
            folder = folder.deletingLastPathComponent()
        }
        for candidate in candidates where isMappings(candidate) { return MappingsFolder(path: candidate) }
        throw GatewayError("no mappings folder found: give --mappings DIR or set GATEWAY_MAPPINGS (looked in ./mappings and beside the executable)")
    }

    private static func checked(_ path: String, why: String) throws -> MappingsFolder {
        guard isMappings(path) else {
            throw GatewayError("\(path) (from \(why)) is not a mappings folder: \(ShippedFiles.treeFile) is missing under taxonomy/")
        }
        return MappingsFolder(path: path)
    }

    private static func isMappings(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: LocalFiles.join(path, "taxonomy/" + ShippedFiles.treeFile))
    }

    public var taxonomyFolder: String { LocalFiles.join(path, "taxonomy") }

    /// Reads and checks `taxonomy/`: a fault names the file and line.
    public func shippedTaxonomy() throws -> ShippedTaxonomy {
        let folder = taxonomyFolder
        func read(_ name: String) throws -> (bytes: [UInt8], file: String) {
            let file = LocalFiles.join(folder, name)
            return (try LocalFiles.bytes(file), file)
        }
        let tree = try read(ShippedFiles.treeFile)
        let (entries, labels) = try ShippedFiles.tree(tree.bytes, file: tree.file)
        let fiches = Set(entries.compactMap { RomeLevel(code: $0.code) == .fiche ? FicheCode(rawValue: $0.code) : nil })
        let apps = try read(ShippedFiles.appellationFile)
        let appellations = try ShippedFiles.appellations(apps.bytes, file: apps.file, fiches: fiches)
        let codesFile = try read(ShippedFiles.rome4File)
        let codes = try OfficialFiles.romeV4Codes(codesFile.bytes, file: codesFile.file, fiches: fiches, format: .mappingTSV)
        let apps4 = try read(ShippedFiles.rome4AppellationFile)
        let appellations4 = try OfficialFiles.romeV4Appellations(apps4.bytes, file: apps4.file, codes: Set(codes.map(\.code)),
                                                                 fiches: fiches, format: .mappingTSV)
        var competent: [CompetentVersion] = []
        for name in try LocalFiles.names(in: folder) where name.hasPrefix("competent-") && name.hasSuffix(".tsv") {
            let version = String(name.dropFirst("competent-".count).dropLast(".tsv".count))
            let file = try read(name)
            competent.append(try ShippedFiles.competent(file.bytes, file: file.file, version: version, fiches: fiches))
        }
        return ShippedTaxonomy(v3: RomeV3Content(entries: entries, appellations: appellations), labels: labels,
                               v4: RomeV4Content(codes: codes, appellations: appellations4), competent: competent)
    }
}
