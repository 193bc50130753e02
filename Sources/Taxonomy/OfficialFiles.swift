import Model

/// Parsers of France Travail's official ROME files. They take the bytes and the file's name, so
/// that every fault names file and line; reading the file is the caller's business.
public enum OfficialFiles {
    /// `arbo_rome_ogr_*.csv`: `Rome1;Rome2;Rome3;Intitule;OGR`, `;`-separated, blank parts written
    /// as a space, commas inside labels replaced by `;` (restored here).
    public static func romeV3(_ bytes: [UInt8], file: String) throws(TaxonomyError) -> RomeV3Content {
        let expected = "Rome1;Rome2;Rome3;Intitule;OGR"
        let firstLine = String(decoding: bytes.prefix { $0 != 10 }, as: UTF8.self)
            .droppingPrefix("\u{FEFF}").droppingSuffix("\r")
        guard firstLine == expected else {
            throw TaxonomyError(file: file, line: 1, "this is not a ROME v3 tree file: expected the header \(expected), found '\(firstLine.prefix(80))'")
        }
        let rows = try DelimitedText.romeV3CSV.rows(bytes, file: file)
        var entries: [RomeEntry] = [], appellations: [Appellation] = []
        var lineOf = FirstSeen(file: file), ogrLine = FirstSeen(file: file)
        for row in rows.dropFirst() {
            guard row.fields.count == 5 else {
                throw TaxonomyError(file: file, line: row.line, "expected 5 fields (Rome1;Rome2;Rome3;Intitule;OGR), found \(row.fields.count)")
            }
            let f = row.fields.map { $0.trimmingSpaces }
            let label = f[3].replacingSemicolons
            guard !label.isEmpty else { throw TaxonomyError(file: file, line: row.line, "the label (Intitule) is empty") }
            guard f[0].utf8.count == 1, (f[1].isEmpty || f[1].utf8.count == 2), (f[2].isEmpty || f[2].utf8.count == 2),
                  !(f[1].isEmpty && !f[2].isEmpty) else {
                throw TaxonomyError(file: file, line: row.line, "'\(f[0]);\(f[1]);\(f[2])' is not a ROME v3 code (letter; two digits; two digits)")
            }
            let code = f[0] + f[1] + f[2]
            guard let level = RomeLevel(code: code) else {
                throw TaxonomyError(file: file, line: row.line, "unknown code '\(code)': not a ROME v3 grand domaine, domaine or fiche")
            }
            if f[4].isEmpty {
                try lineOf.record(code, as: "code \(code)", line: row.line)
                entries.append(RomeEntry(code: code, label: label))
            } else {
                guard level == .fiche, let fiche = FicheCode(rawValue: code) else {
                    throw TaxonomyError(file: file, line: row.line, "appellation \(f[4]) must sit under a fiche, not under \(level.rawValue) \(code)")
                }
                let ogr = try appellationCode(f[4], row: row, file: file)
                try ogrLine.record(ogr.rawValue, as: "OGR appellation \(ogr)", line: row.line)
                appellations.append(Appellation(code: ogr, fiche: fiche, label: label))
            }
        }
        for entry in entries {
            if let parent = RomeLevel.parent(of: entry.code), lineOf[parent] == nil {
                throw TaxonomyError(file: file, line: lineOf[entry.code]!, "\(entry.code) belongs to \(parent), which the file does not define")
            }
        }
        for a in appellations where lineOf[a.fiche.rawValue] == nil {
            throw TaxonomyError(file: file, line: ogrLine[a.code.rawValue]!, "appellation \(a.code) belongs to fiche \(a.fiche), which the file does not define")
        }
        return RomeV3Content(entries: entries, appellations: appellations)
    }

    /// `unix_referentiel_code_rome_v*_utf8.csv`: every `code_rome` with its `code_rome_parent`,
    /// which must be one of `fiches` (the ROME v3 fiches in force). The shipped `rome-v4.tsv` has the
    /// same columns, tab-separated.
    public static func romeV4Codes(_ bytes: [UInt8], file: String, fiches: Set<FicheCode>,
                                   format: DelimitedText = .officialCSV) throws(TaxonomyError) -> [Rome4Code] {
        let rows = try format.rows(bytes, file: file)
        let header = try Header(rows.first, file: file, kind: "a ROME 4.0 code file (referentiel_code_rome)",
                                requires: ["code_rome", "code_rome_parent", "libelle_rome"])
        var codes: [Rome4Code] = [], seen = FirstSeen(file: file)
        for row in rows.dropFirst() {
            let f = try header.fields(row, "code_rome", "code_rome_parent", "libelle_rome")
            guard FicheCode(rawValue: f[0]) != nil else {
                throw TaxonomyError(file: file, line: row.line, "'\(f[0])' is not a ROME 4.0 code (a letter A–N and four digits)")
            }
            let parent = try fiche(f[1], in: fiches, row: row, file: file, role: "code_rome_parent of \(f[0])")
            try seen.record(f[0], as: "code_rome \(f[0])", line: row.line)
            codes.append(Rome4Code(code: f[0], parent: parent, label: f[2]))
        }
        return codes
    }

    /// `unix_referentiel_appellation_v*_utf8.csv`: every `code_ogr` with its `code_rome`, which must
    /// be one of `codes`, and its fiche (`code_rome_parent`), which must be one of `fiches`. The
    /// shipped `rome-v4-appellations.tsv` has the same columns, tab-separated.
    public static func romeV4Appellations(_ bytes: [UInt8], file: String, codes: Set<String>, fiches: Set<FicheCode>,
                                          format: DelimitedText = .officialCSV) throws(TaxonomyError) -> [Rome4Appellation] {
        let rows = try format.rows(bytes, file: file)
        let header = try Header(rows.first, file: file, kind: "a ROME 4.0 appellation file (referentiel_appellation)",
                                requires: ["code_ogr", "libelle_appellation_long", "code_rome", "code_rome_parent"])
        var appellations: [Rome4Appellation] = [], seen = FirstSeen(file: file)
        for row in rows.dropFirst() {
            let f = try header.fields(row, "code_ogr", "libelle_appellation_long", "code_rome", "code_rome_parent")
            let ogr = try appellationCode(f[0], row: row, file: file)
            guard codes.contains(f[2]) else {
                throw TaxonomyError(file: file, line: row.line, "appellation \(ogr) belongs to unknown code_rome '\(f[2])'")
            }
            let fiche = try fiche(f[3], in: fiches, row: row, file: file, role: "code_rome_parent of appellation \(ogr)")
            try seen.record(f[0], as: "appellation \(ogr)", line: row.line)
            appellations.append(Rome4Appellation(code: ogr, rome4: f[2], fiche: fiche, label: f[1]))
        }
        return appellations
    }
}

/// Remembers the line each key was first seen on, so that a key listed twice names both lines.
struct FirstSeen {
    let file: String
    private(set) var lines: [String: Int] = [:]

    init(file: String) { self.file = file }

    mutating func record(_ key: String, as what: String, line: Int) throws(TaxonomyError) {
        if let first = lines[key] { throw TaxonomyError(file: file, line: line, "\(what) is listed twice (first at line \(first))") }
        lines[key] = line
    }

    subscript(key: String) -> Int? { lines[key] }
}

/// An OGR appellation code, or the row's fault.
func appellationCode(_ text: String, row: DelimitedRow, file: String) throws(TaxonomyError) -> AppellationCode {
    guard let code = AppellationCode(rawValue: text) else {
        throw TaxonomyError(file: file, line: row.line, "'\(text)' is not an OGR code (5 or 6 digits)")
    }
    return code
}

/// One of the known ROME v3 fiches, or the row's fault naming the value's `role`.
func fiche(_ text: String, in fiches: Set<FicheCode>, row: DelimitedRow, file: String, role: String) throws(TaxonomyError) -> FicheCode {
    guard let fiche = FicheCode(rawValue: text), fiches.contains(fiche) else {
        throw TaxonomyError(file: file, line: row.line, "\(role) is '\(text)', not a ROME v3 fiche")
    }
    return fiche
}

extension String {
    func droppingPrefix(_ prefix: String) -> String { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self }
    func droppingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }

    /// Without the spaces and tabs that the ROME v3 file puts in blank fields and around values.
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(scalars[start...end])
    }

    /// The ROME v3 file replaced commas inside labels by `;`: put them back.
    var replacingSemicolons: String {
        guard contains(";") else { return self }
        return String(map { $0 == ";" ? "," : $0 })
    }
}
