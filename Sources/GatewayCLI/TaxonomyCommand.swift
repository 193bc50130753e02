import ArgumentParser
import Foundation
import Gateway
import Ledger
import Model
import Taxonomy

struct TaxonomyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taxonomy",
        abstract: "Look up and import the shared occupational taxonomy (ROME v3, ROME 4.0, Competent).",
        discussion: """
            Every record is translated to a ROME v3 fiche, the pivot. The gateway ships the whole \
            ROME v3 tree (14 grands domaines, 110 domaines, 532 fiches) with labels in French, Dutch \
            and German, the Competent tables, and the appellations and ROME 4.0 codes its fixtures \
            use; `import` loads France Travail's complete official files into the store.
            """,
        subcommands: [Show.self, Resolve.self, Import.self]
    )
}

enum LabelLanguage: String, ExpressibleByArgument, CaseIterable {
    case nl, fr, de
    var code: LanguageCode { LanguageCode(rawValue: rawValue)! }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

extension TaxonomyCommand {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a code's kind, labels, parent chain and, for a fiche, its appellation count.",
            discussion: """
                CODE is a grand domaine (M), a domaine professionnel (M18), a fiche (M1805), a ROME 4.0 \
                code (M1811) or an OGR appellation (14148). A code that is both a fiche and a ROME 4.0 \
                code is shown as both.

                Examples:
                  gateway taxonomy show M1805
                  gateway taxonomy show H29 --lang de
                  gateway taxonomy show 19475 --json
                """)

        @Argument(help: "The code to show.") var code: String
        @Option(help: "Labels in this language only (nl, fr, de); all three when absent.") var lang: LabelLanguage?
        @Flag(help: "Print JSON instead of text.") var json = false
        @OptionGroup var locations: Locations

        func run() async throws {
            let taxonomy = try await locations.taxonomy()
            let found = CodeDescription.all(of: code, in: taxonomy, language: lang?.code)
            guard !found.isEmpty else {
                throw GatewayError("no grand domaine, domaine, fiche, ROME 4.0 code or appellation has the code '\(code)' (taxonomy: \(taxonomy.provenance))")
            }
            if json {
                try printJSON(found.count == 1 ? AnyEncodable(found[0]) : AnyEncodable(found))
            } else {
                print(found.map(\.text).joined(separator: "\n\n"))
            }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the ROME v3 fiche (the pivot) that a code of a scheme stands for.",
            discussion: """
                Schemes: ROME (a v3 fiche, itself), ROME4 (a ROME 4.0 code, to its parent fiche), \
                COMPETENT (needs --version: the identity but for the exceptions in \
                mappings/taxonomy/competent-<version>.tsv), OGR (an appellation, to its fiche).

                Examples:
                  gateway taxonomy resolve --scheme ROME4 M1811
                  gateway taxonomy resolve --scheme COMPETENT --version 2019 K1306
                  gateway taxonomy resolve --scheme OGR 19475 --lang nl

                A code that does not resolve prints the rejection code a record would get \
                (UNKNOWN_OCCUPATION, ...) and exits with status 1.
                """)

        @Option(help: "ROME, ROME4, COMPETENT or OGR.") var scheme: SchemeArgument
        @Option(help: "The scheme's version (required for COMPETENT: 2012 or 2019).") var version: String?
        @Argument(help: "The code to resolve.") var code: String
        @Option(help: "Language of the fiche's label (nl, fr, de).") var lang: LabelLanguage = .fr
        @Flag(help: "Print JSON instead of text.") var json = false
        @OptionGroup var locations: Locations

        func run() async throws {
            let taxonomy = try await locations.taxonomy()
            let resolution: Resolution
            do throws(FieldError) {
                resolution = try Resolution.of(scheme.value, version: version, code: code, in: taxonomy, language: lang.code)
            } catch {
                throw GatewayError("\(error.code.rawValue): \(error.message)")
            }
            if json { try printJSON(resolution) } else { print(resolution.text) }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load France Travail's official ROME files into the store.",
            discussion: """
                Reads the ROME v3 tree (arbo_rome_ogr_*.csv) and/or the ROME 4.0 folder (RefRomeCsv/, \
                with unix_referentiel_code_rome_*.csv and unix_referentiel_appellation_*.csv), checks \
                every row and how the files fit together, and only then replaces the stored import in \
                one transaction: a file with a fault leaves the store as it was, and the fault names \
                file and line. Dutch and German labels and the Competent tables keep coming from \
                mappings/taxonomy/.

                Example:
                  gateway taxonomy import --rome-v3 ../shared/data/rome-v3/arbo_rome_ogr_202107.csv \\
                      --rome-v4-dir ../shared/data/rome-v4
                """)

        @Option(name: .customLong("rome-v3"), help: ArgumentHelp("The ROME v3 tree file.", valueName: "file")) var romeV3: String?
        @Option(name: .customLong("rome-v4-dir"), help: ArgumentHelp("The ROME 4.0 CSV folder.", valueName: "dir")) var romeV4Dir: String?
        @Flag(help: "Print the report as JSON.") var json = false
        @OptionGroup var locations: Locations

        func validate() throws {
            guard romeV3 != nil || romeV4Dir != nil else {
                throw ValidationError("nothing to import: give --rome-v3 FILE, --rome-v4-dir DIR, or both")
            }
        }

        func run() async throws {
            let shipped = try locations.mappingsFolder().shippedTaxonomy()
            let store = try await locations.openStore()
            let report = try await TaxonomyImport(romeV3: romeV3, romeV4Folder: romeV4Dir).run(into: store, shipped: shipped) { step in
                if !json { FileHandle.standardError.write(Data("… \(step)\n".utf8)) }
            }
            if json { try printJSON(report); return }
            var lines = ["imported into \(locations.storePath) in \(report.milliseconds) ms from \(report.sources.joined(separator: ", "))"]
            if let g = report.grandDomains, let d = report.domains, let f = report.fiches, let a = report.v3Appellations {
                lines.append("  ROME v3   \(g) grands domaines, \(d) domaines professionnels, \(f) fiches, \(a) appellations")
            }
            if let c = report.v4Codes, let a = report.v4Appellations {
                lines.append("  ROME 4.0  \(c) codes (every parent a ROME v3 fiche), \(a) appellations")
            }
            if let kept = report.appellationsKept, let missing = report.appellationsMissingInV4, let moved = report.appellationsMovedInV4 {
                lines.append("  v3 appellations in ROME 4.0 under the same fiche: \(kept); absent: \(missing.count); under another fiche: \(moved.count)")
                for m in (missing.prefix(10) + moved.prefix(10)) { lines.append("    \(m)") }
            }
            if !report.untranslated.isEmpty {
                lines.append("  no Dutch/German label in mappings/taxonomy/rome-v3.tsv (shown in French): \(report.untranslated.joined(separator: ", "))")
            }
            print(lines.joined(separator: "\n"))
        }
    }
}

struct SchemeArgument: ExpressibleByArgument {
    let value: CodeScheme
    init?(argument: String) {
        guard let scheme = CodeScheme(rawValue: argument.uppercased()) else { return nil }
        value = scheme
    }
    static var allValueStrings: [String] { CodeScheme.allCases.map(\.rawValue) }
}

/// Lets one JSON printer take either one description or several.
struct AnyEncodable: Encodable {
    let encodeTo: (Encoder) throws -> Void
    init<T: Encodable>(_ value: T) { encodeTo = value.encode }
    func encode(to encoder: Encoder) throws { try encodeTo(encoder) }
}
