import Model

/// Parsers of the project's own taxonomy files under `mappings/taxonomy/` (tab-separated, `#`
/// comments). Each fault names file and line: a broken mapping stops the gateway at start-up.
public enum ShippedFiles {
    public static let treeFile = "rome-v3.tsv"
    public static let appellationFile = "rome-v3-appellations.tsv"
    public static let rome4File = "rome-v4.tsv"
    public static let rome4AppellationFile = "rome-v4-appellations.tsv"
    /// `competent-<version>.tsv`, one file per Competent version.
    public static func competentFile(version: String) -> String { "competent-\(version).tsv" }

    /// `code fr nl de`: every grand domaine, domaine and fiche with its three labels, none empty.
    public static func tree(_ bytes: [UInt8], file: String) throws(TaxonomyError) -> (entries: [RomeEntry], labels: [String: Labels]) {
        let rows = try DelimitedText.mappingTSV.rows(bytes, file: file)
        let header = try Header(rows.first, file: file, kind: "the ROME v3 label table", requires: ["code", "fr", "nl", "de"])
        var entries: [RomeEntry] = [], labels: [String: Labels] = [:], lineOf: [String: Int] = [:]
        for row in rows.dropFirst() {
            let f = try header.fields(row, "code", "fr", "nl", "de")
            guard RomeLevel(code: f[0]) != nil else {
                throw TaxonomyError(file: file, line: row.line, "'\(f[0])' is not a ROME v3 grand domaine, domaine or fiche code")
            }
            for (language, label) in zip(["fr", "nl", "de"], f[1...]) where label.trimmingSpaces.isEmpty {
                throw TaxonomyError(file: file, line: row.line, "\(f[0]) has no \(language) label")
            }
            if let first = lineOf[f[0]] {
                throw TaxonomyError(file: file, line: row.line, "\(f[0]) is listed twice (first at line \(first))")
            }
            lineOf[f[0]] = row.line
            entries.append(RomeEntry(code: f[0], label: f[1]))
            labels[f[0]] = Labels(fr: f[1], nl: f[2], de: f[3])
        }
        for entry in entries {
            if let parent = RomeLevel.parent(of: entry.code), lineOf[parent] == nil {
                throw TaxonomyError(file: file, line: lineOf[entry.code]!, "\(entry.code) belongs to \(parent), which the file does not define")
            }
        }
        return (entries, labels)
    }

    /// `ogr fiche label`
    public static func appellations(_ bytes: [UInt8], file: String, fiches: Set<FicheCode>) throws(TaxonomyError) -> [Appellation] {
        let rows = try DelimitedText.mappingTSV.rows(bytes, file: file)
        let header = try Header(rows.first, file: file, kind: "a ROME v3 appellation table", requires: ["ogr", "fiche", "label"])
        var result: [Appellation] = [], seen: Set<String> = []
        for row in rows.dropFirst() {
            let f = try header.fields(row, "ogr", "fiche", "label")
            guard let ogr = AppellationCode(rawValue: f[0]) else {
                throw TaxonomyError(file: file, line: row.line, "'\(f[0])' is not an OGR code (5 or 6 digits)")
            }
            guard let fiche = FicheCode(rawValue: f[1]), fiches.contains(fiche) else {
                throw TaxonomyError(file: file, line: row.line, "unknown fiche '\(f[1])' for appellation \(ogr)")
            }
            guard seen.insert(f[0]).inserted else { throw TaxonomyError(file: file, line: row.line, "appellation \(ogr) is listed twice") }
            result.append(Appellation(code: ogr, fiche: fiche, label: f[2]))
        }
        return result
    }

    /// `code_rome parent label`
    public static func rome4Codes(_ bytes: [UInt8], file: String, fiches: Set<FicheCode>) throws(TaxonomyError) -> [Rome4Code] {
        let rows = try DelimitedText.mappingTSV.rows(bytes, file: file)
        let header = try Header(rows.first, file: file, kind: "a ROME 4.0 code table", requires: ["code_rome", "parent", "label"])
        var result: [Rome4Code] = [], seen: Set<String> = []
        for row in rows.dropFirst() {
            let f = try header.fields(row, "code_rome", "parent", "label")
            guard FicheCode(rawValue: f[0]) != nil else {
                throw TaxonomyError(file: file, line: row.line, "'\(f[0])' is not a ROME 4.0 code (a letter A–N and four digits)")
            }
            guard let parent = FicheCode(rawValue: f[1]), fiches.contains(parent) else {
                throw TaxonomyError(file: file, line: row.line, "parent '\(f[1])' of \(f[0]) is not a ROME v3 fiche")
            }
            guard seen.insert(f[0]).inserted else { throw TaxonomyError(file: file, line: row.line, "code_rome \(f[0]) is listed twice") }
            result.append(Rome4Code(code: f[0], parent: parent, label: f[2]))
        }
        return result
    }

    /// `ogr code_rome fiche label`
    public static func rome4Appellations(_ bytes: [UInt8], file: String, codes: Set<String>, fiches: Set<FicheCode>) throws(TaxonomyError) -> [Rome4Appellation] {
        let rows = try DelimitedText.mappingTSV.rows(bytes, file: file)
        let header = try Header(rows.first, file: file, kind: "a ROME 4.0 appellation table", requires: ["ogr", "code_rome", "fiche", "label"])
        var result: [Rome4Appellation] = [], seen: Set<String> = []
        for row in rows.dropFirst() {
            let f = try header.fields(row, "ogr", "code_rome", "fiche", "label")
            guard let ogr = AppellationCode(rawValue: f[0]) else {
                throw TaxonomyError(file: file, line: row.line, "'\(f[0])' is not an OGR code (5 or 6 digits)")
            }
            guard codes.contains(f[1]) else {
                throw TaxonomyError(file: file, line: row.line, "appellation \(ogr) belongs to unknown code_rome '\(f[1])'")
            }
            guard let fiche = FicheCode(rawValue: f[2]), fiches.contains(fiche) else {
                throw TaxonomyError(file: file, line: row.line, "unknown fiche '\(f[2])' for appellation \(ogr)")
            }
            guard seen.insert(f[0]).inserted else { throw TaxonomyError(file: file, line: row.line, "appellation \(ogr) is listed twice") }
            result.append(Rome4Appellation(code: ogr, rome4: f[1], fiche: fiche, label: f[3]))
        }
        return result
    }

    /// `competent rome reason`: the exceptions to the identity; `-` in `rome` for no equivalent.
    public static func competent(_ bytes: [UInt8], file: String, version: String, fiches: Set<FicheCode>) throws(TaxonomyError) -> CompetentVersion {
        let rows = try DelimitedText.mappingTSV.rows(bytes, file: file)
        let header = try Header(rows.first, file: file, kind: "a Competent → ROME table", requires: ["competent", "rome", "reason"])
        var exceptions: [String: FicheCode?] = [:]
        for row in rows.dropFirst() {
            let f = try header.fields(row, "competent", "rome", "reason")
            guard FicheCode(rawValue: f[0]) != nil else {
                throw TaxonomyError(file: file, line: row.line, "'\(f[0])' is not a Competent fiche code (a letter A–N and four digits)")
            }
            guard exceptions[f[0]] == nil else { throw TaxonomyError(file: file, line: row.line, "Competent code \(f[0]) is listed twice") }
            guard !f[2].trimmingSpaces.isEmpty else {
                throw TaxonomyError(file: file, line: row.line, "the exception for \(f[0]) gives no reason")
            }
            if f[1] == "-" {
                exceptions[f[0]] = .some(nil)
            } else if let fiche = FicheCode(rawValue: f[1]), fiches.contains(fiche) {
                exceptions[f[0]] = .some(fiche)
            } else {
                throw TaxonomyError(file: file, line: row.line, "unknown ROME v3 fiche '\(f[1])' for Competent code \(f[0]) (write - for none)")
            }
        }
        return CompetentVersion(version: version, exceptions: exceptions)
    }
}
