import Foundation
import Model
import Taxonomy

/// `gateway taxonomy import`: reads France Travail's official files, checks them and what they
/// form with the rest of the taxonomy, and only then replaces the stored import in one transaction.
public struct TaxonomyImport {
    /// The ROME v3 tree file, `arbo_rome_ogr_*.csv`.
    public var romeV3: String?
    /// The folder of ROME 4.0 CSV files (`RefRomeCsv/`), holding `unix_referentiel_code_rome_*.csv`
    /// and `unix_referentiel_appellation_*.csv`.
    public var romeV4Folder: String?

    public init(romeV3: String?, romeV4Folder: String?) {
        self.romeV3 = romeV3
        self.romeV4Folder = romeV4Folder
    }

    public struct Report: Sendable, Encodable {
        public var grandDomains: Int?
        public var domains: Int?
        public var fiches: Int?
        public var v3Appellations: Int?
        public var v4Codes: Int?
        public var v4Appellations: Int?
        /// v3 appellations found in ROME 4.0 under the same fiche / absent / under another fiche.
        public var appellationsKept: Int?
        public var appellationsMissingInV4: [String]?
        public var appellationsMovedInV4: [String]?
        public var sources: [String]
        public var untranslated: [String]
        public var milliseconds: Int
    }

    /// Runs the import; `progress` hears each step as it starts.
    public func run(into store: any TaxonomyStore, shipped: ShippedTaxonomy, now: Date = Date(),
                    progress: (String) -> Void = { _ in }) async throws -> Report {
        guard romeV3 != nil || romeV4Folder != nil else {
            throw GatewayError("nothing to import: give --rome-v3 FILE, --rome-v4-dir DIR, or both")
        }
        let started = ContinuousClock.now
        let previous = try await store.importedTaxonomy()
        let (imported, report) = try prepare(over: previous, shipped: shipped, now: now, progress: progress)
        progress("writing to the store")
        try await store.replaceImportedTaxonomy(imported)
        var timed = report
        let elapsed = ContinuousClock.now - started
        timed.milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        return timed
    }

    /// Reads and checks the files over what a store held before (`previous`), without writing:
    /// the import to store, and its report.
    public func prepare(over previous: ImportedTaxonomy?, shipped: ShippedTaxonomy, now: Date = Date(),
                        progress: (String) -> Void = { _ in }) throws -> (ImportedTaxonomy, Report) {
        var v3 = previous?.v3, v3Sources = previous?.v3Sources ?? []
        if let path = romeV3 {
            progress("reading ROME v3 tree \(path)")
            v3 = try OfficialFiles.romeV3(try LocalFiles.bytes(path), file: path)
            v3Sources = [URL(fileURLWithPath: path).lastPathComponent]
        }
        var v4 = previous?.v4, v4Sources = previous?.v4Sources ?? []
        if let folder = romeV4Folder {
            let names = try LocalFiles.names(in: folder)
            let codesName = try Self.one(in: names, folder: folder, prefix: "unix_referentiel_code_rome_", what: "ROME 4.0 code file")
            let appellationsName = try Self.one(in: names, folder: folder, prefix: "unix_referentiel_appellation_", what: "ROME 4.0 appellation file")
            let fiches = Set((v3 ?? shipped.v3).entries.compactMap { RomeLevel(code: $0.code) == .fiche ? FicheCode(rawValue: $0.code) : nil })
            let codesPath = LocalFiles.join(folder, codesName), appellationsPath = LocalFiles.join(folder, appellationsName)
            progress("reading ROME 4.0 codes \(codesPath)")
            let codes = try OfficialFiles.romeV4Codes(try LocalFiles.bytes(codesPath), file: codesPath, fiches: fiches)
            progress("reading ROME 4.0 appellations \(appellationsPath)")
            let appellations = try OfficialFiles.romeV4Appellations(try LocalFiles.bytes(appellationsPath), file: appellationsPath,
                                                                     codes: Set(codes.map(\.code)), fiches: fiches)
            v4 = RomeV4Content(codes: codes, appellations: appellations)
            v4Sources = [codesName, appellationsName]
        }
        let imported = ImportedTaxonomy(importedAt: Self.rfc3339(now), v3: v3, v3Sources: v3Sources, v4: v4, v4Sources: v4Sources)
        progress("checking the combined taxonomy")
        let taxonomy = try Taxonomy(shipped: shipped, imported: imported)

        var report = Report(sources: imported.sources, untranslated: taxonomy.untranslated, milliseconds: 0)
        if let v3 {
            report.grandDomains = v3.count(.grandDomain)
            report.domains = v3.count(.domain)
            report.fiches = v3.count(.fiche)
            report.v3Appellations = v3.appellations.count
        }
        if let v4 {
            report.v4Codes = v4.codes.count
            report.v4Appellations = v4.appellations.count
        }
        if let v3, let v4 {
            let continuity = AppellationContinuity(v3: v3, v4: v4)
            report.appellationsKept = continuity.kept
            report.appellationsMissingInV4 = continuity.missing.map(\.rawValue)
            report.appellationsMovedInV4 = continuity.moved.map { "\($0.0): \($0.1) → \($0.2)" }
        }
        return (imported, report)
    }

    private static func one(in names: [String], folder: String, prefix: String, what: String) throws -> String {
        let matches = names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".csv") }
        guard matches.count == 1 else {
            throw GatewayError(matches.isEmpty
                ? "\(folder): no \(what) (\(prefix)*.csv) in this folder"
                : "\(folder): several \(what)s (\(matches.joined(separator: ", "))): keep one")
        }
        return matches[0]
    }

    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
