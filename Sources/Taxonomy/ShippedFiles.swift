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
        var entries: [RomeEntry] = [], labels: [String: Labels] = [:], lineOf = FirstSeen(file: file)
        for row in rows.dropFirst() {
            let f = try header.fields(row, "code", "fr", "nl", "de")
            guard RomeLevel(code: f[0]) != nil else {
                throw TaxonomyError(file: file, line: row.line, "'\(f[0])' is not a ROME v3 grand domaine, domaine or fiche code")
            }
            for (language, label) in zip(["fr", "nl", "de"], f[1...]) where label.trimmingSpaces.isEmpty {
                throw TaxonomyError(file: file, line: row.line, "\(f[0]) has no \(language) label")
            }
            try lineOf.record(f[0], as: f[0], line: row.line)
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
        var result: [Appellation] = [], seen = FirstSeen(file: file)
        for row in rows.dropFirst() {
            let f = try header.fields(row, "ogr", "fiche", "label")
            let ogr = try appellationCode(f[0], row: row, file: file)
            let fiche = try fiche(f[1], in: fiches, row: row, file: file, role: "the fiche of appellation \(ogr)")
            try seen.record(f[0], as: "appellation \(ogr)", line: row.line)
            result.append(Appellation(code: ogr, fiche: fiche, label: f[2]))
        }
        return result
    }

    /// `competent rome reason`: the exceptions to the identity; `-` in `rome` for no equivalent.
    public static func competent(_ bytes: [UInt8], file: String, version: String, fiches: Set<FicheCode>) throws(TaxonomyError) -> CompetentVersion {
        let rows = try DelimitedText.mappingTSV.rows(bytes, file: file)
        let header = try Header(rows.first, file: file, kind: "a Competent → ROME table", requires: ["competent", "rome", "reason"])
        var exceptions: [String: FicheCode?] = [:], seen = FirstSeen(file: file)
        for row in rows.dropFirst() {
            let f = try header.fields(row, "competent", "rome", "reason")
            guard FicheCode(rawValue: f[0]) != nil else {
                throw TaxonomyError(file: file, line: row.line, "'\(f[0])' is not a Competent fiche code (a letter A–N and four digits)")
            }
            try seen.record(f[0], as: "Competent code \(f[0])", line: row.line)
            guard !f[2].trimmingSpaces.isEmpty else {
                throw TaxonomyError(file: file, line: row.line, "the exception for \(f[0]) gives no reason")
            }
            exceptions[f[0]] = f[1] == "-"
                ? .some(nil)
                : try fiche(f[1], in: fiches, row: row, file: file, role: "the ROME v3 fiche for Competent code \(f[0]) (write - for none)")
        }
        return CompetentVersion(version: version, exceptions: exceptions)
    }
}
