import Model
import Taxonomy

/// What the taxonomy knows of one code, for `gateway taxonomy show`.
public struct CodeDescription: Encodable, Sendable {
    public struct Ancestor: Encodable, Sendable {
        public var code: String
        public var kind: String
        public var label: String
    }

    public var code: String
    /// `grand domaine`, `domaine professionnel`, `fiche`, `ROME 4.0 code`, `appellation`.
    public var kind: String
    /// By language code; only the asked language when one was asked.
    public var labels: [String: String]
    /// From the grand domaine down to the direct parent (for an appellation or a ROME 4.0 code,
    /// down to its fiche).
    public var parents: [Ancestor]
    /// For a fiche: its ROME v3 appellations.
    public var appellationCount: Int?
    /// For a fiche that is also a ROME 4.0 code, or a ROME 4.0 code: its v3 parent fiche.
    public var rome4Parent: String?
    /// For an appellation: the ROME 4.0 code it sits under, if ROME 4.0 has it.
    public var rome4Code: String?

    /// Every reading of `code` that the taxonomy has, the ROME v3 tree first; empty when none.
    public static func all(of code: String, in taxonomy: Taxonomy, language: LanguageCode?) -> [CodeDescription] {
        var found: [CodeDescription] = []
        func labels(_ l: Labels) -> [String: String] {
            guard let language else { return ["fr": l.fr, "nl": l.nl, "de": l.de] }
            return [language.rawValue: l[language]]
        }
        func french(_ text: String) -> [String: String] {
            // ROME 4.0 codes and appellations have French labels only.
            ["fr": text]
        }
        func ancestors(_ code: String) -> [Ancestor] {
            taxonomy.lineage(of: code).map { Ancestor(code: $0.code, kind: $0.level.rawValue, label: $0.labels[language ?? .french]) }
        }
        if let node = taxonomy.nodes[code] {
            var d = CodeDescription(code: code, kind: node.level.rawValue, labels: labels(node.labels),
                                    parents: Array(ancestors(code).dropLast()))
            if node.level == .fiche, let fiche = FicheCode(rawValue: code) {
                d.appellationCount = taxonomy.appellationCounts[fiche] ?? 0
            }
            found.append(d)
        }
        if let rome4 = taxonomy.rome4Codes[code] {
            var d = CodeDescription(code: code, kind: "ROME 4.0 code", labels: french(rome4.label), parents: ancestors(rome4.parent.rawValue))
            d.rome4Parent = rome4.parent.rawValue
            found.append(d)
        }
        if let ogr = AppellationCode(rawValue: code) {
            let v4 = taxonomy.rome4Appellations[ogr]
            if let a = taxonomy.appellations[ogr] {
                var d = CodeDescription(code: code, kind: "appellation", labels: french(a.label), parents: ancestors(a.fiche.rawValue))
                d.rome4Code = v4?.rome4
                found.append(d)
            } else if let v4 {
                var d = CodeDescription(code: code, kind: "appellation (ROME 4.0 only)", labels: french(v4.label), parents: ancestors(v4.fiche.rawValue))
                d.rome4Code = v4.rome4
                found.append(d)
            }
        }
        return found
    }

    /// The form a person reads in a terminal.
    public var text: String {
        var lines = ["\(code)  \(kind)"]
        for language in ["fr", "nl", "de"] where labels[language] != nil {
            lines.append("  \(language)  \(labels[language]!)")
        }
        if !parents.isEmpty {
            lines.append("  parents")
            for p in parents { lines.append("    \(p.code.padding(toLength: 6, withPad: " ", startingAt: 0))\(p.label)  (\(p.kind))") }
        }
        if let n = appellationCount { lines.append("  appellations  \(n)") }
        if let p = rome4Parent, kind == "ROME 4.0 code" { lines.append("  ROME v3 parent fiche  \(p)") }
        if let c = rome4Code { lines.append("  ROME 4.0 code  \(c)") }
        return lines.joined(separator: "\n")
    }
}

/// The answer of `gateway taxonomy resolve`.
public struct Resolution: Encodable, Sendable {
    public var scheme: String
    public var version: String?
    public var code: String
    public var fiche: String
    public var label: String
    /// True when a Competent exception, not the identity, gave the fiche.
    public var exception: Bool

    public static func of(_ scheme: CodeScheme, version: String?, code: String, in taxonomy: Taxonomy,
                          language: LanguageCode) throws(FieldError) -> Resolution {
        let fiche = try taxonomy.resolve(scheme, version: version, code: code)
        let isException = scheme == .competent && version.flatMap { taxonomy.competent[$0]?.exceptions[code] } != nil
        return Resolution(scheme: scheme.rawValue, version: version, code: code, fiche: fiche.rawValue,
                          label: taxonomy.fiche(fiche)!.labels[language], exception: isException)
    }

    public var text: String {
        let from = version.map { "\(scheme) \($0) \(code)" } ?? "\(scheme) \(code)"
        return "\(from) → \(fiche)  \(label)" + (exception ? "  (listed exception)" : "")
    }
}
