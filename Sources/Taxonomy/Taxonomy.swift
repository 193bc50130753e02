import Model

/// The shared occupational taxonomy, loaded once and looked up in constant time: the ROME v3 tree
/// with labels in French, Dutch and German, its OGR appellations, ROME 4.0 codes and appellations
/// (each ROME 4.0 code has a v3 parent fiche), and the Competent → ROME v3 tables by version.
public struct Taxonomy: Sendable {
    /// A grand domaine, domaine professionnel or fiche.
    public struct Node: Hashable, Sendable {
        public let code: String
        public let level: RomeLevel
        public let labels: Labels
        public var parent: String? { RomeLevel.parent(of: code) }
    }

    public let nodes: [String: Node]
    public let appellations: [AppellationCode: Appellation]
    public let rome4Codes: [String: Rome4Code]
    public let rome4Appellations: [AppellationCode: Rome4Appellation]
    public let competent: [String: CompetentVersion]
    /// ROME v3 appellations per fiche.
    public let appellationCounts: [FicheCode: Int]
    /// Codes whose Dutch or German label the label table lacks (shown in French meanwhile).
    public let untranslated: [String]
    /// A line saying where the content comes from, for `taxonomy show` and logs.
    public let provenance: String

    /// Indexes the content and checks that it holds together: every parent present, every
    /// appellation's fiche a fiche, every ROME 4.0 parent a v3 fiche, every Competent exception
    /// pointing at a fiche.
    public init(v3: RomeV3Content, labels: [String: Labels], v4: RomeV4Content, competent: [CompetentVersion],
                provenance: String) throws(TaxonomyError) {
        let origin = "taxonomy (\(provenance))"
        var nodes: [String: Node] = [:]
        var untranslated: [String] = []
        nodes.reserveCapacity(v3.entries.count)
        for entry in v3.entries {
            guard let level = RomeLevel(code: entry.code) else {
                throw TaxonomyError(file: origin, line: 0, "'\(entry.code)' is not a ROME v3 code")
            }
            let overlay = labels[entry.code]
            if overlay == nil { untranslated.append(entry.code) }
            nodes[entry.code] = Node(code: entry.code, level: level,
                                     labels: Labels(fr: entry.label, nl: overlay?.nl ?? entry.label, de: overlay?.de ?? entry.label))
        }
        for node in nodes.values {
            if let parent = node.parent, nodes[parent] == nil {
                throw TaxonomyError(file: origin, line: 0, "\(node.code) belongs to \(parent), which is missing")
            }
        }
        func isFiche(_ f: FicheCode) -> Bool { nodes[f.rawValue]?.level == .fiche }

        var appellations: [AppellationCode: Appellation] = [:], counts: [FicheCode: Int] = [:]
        appellations.reserveCapacity(v3.appellations.count)
        for a in v3.appellations {
            guard isFiche(a.fiche) else { throw TaxonomyError(file: origin, line: 0, "appellation \(a.code) belongs to unknown fiche \(a.fiche)") }
            appellations[a.code] = a
            counts[a.fiche, default: 0] += 1
        }
        var rome4: [String: Rome4Code] = [:]
        rome4.reserveCapacity(v4.codes.count)
        for c in v4.codes {
            guard isFiche(c.parent) else { throw TaxonomyError(file: origin, line: 0, "ROME 4.0 code \(c.code) has parent \(c.parent), not a ROME v3 fiche") }
            rome4[c.code] = c
        }
        var rome4Appellations: [AppellationCode: Rome4Appellation] = [:]
        rome4Appellations.reserveCapacity(v4.appellations.count)
        for a in v4.appellations {
            guard rome4[a.rome4] != nil, isFiche(a.fiche) else {
                throw TaxonomyError(file: origin, line: 0, "ROME 4.0 appellation \(a.code) belongs to unknown code \(a.rome4) or fiche \(a.fiche)")
            }
            rome4Appellations[a.code] = a
        }
        var tables: [String: CompetentVersion] = [:]
        for table in competent {
            for case let (code, fiche??) in table.exceptions where !isFiche(fiche) {
                throw TaxonomyError(file: origin, line: 0, "Competent \(table.version) maps \(code) to \(fiche), not a ROME v3 fiche")
            }
            tables[table.version] = table
        }
        self.nodes = nodes
        self.appellations = appellations
        self.appellationCounts = counts
        self.rome4Codes = rome4
        self.rome4Appellations = rome4Appellations
        self.competent = tables
        self.untranslated = untranslated.sorted()
        self.provenance = provenance
    }

    public func count(_ level: RomeLevel) -> Int { nodes.values.count { $0.level == level } }

    /// The fiche, if the taxonomy has it.
    public func fiche(_ code: FicheCode) -> Node? {
        guard let node = nodes[code.rawValue], node.level == .fiche else { return nil }
        return node
    }

    /// The node and its ancestors, from the grand domaine down.
    public func lineage(of code: String) -> [Node] {
        var chain: [Node] = []
        var next: String? = code
        while let c = next, let node = nodes[c] {
            chain.insert(node, at: 0)
            next = node.parent
        }
        return chain
    }

    /// The Competent versions known, oldest first.
    public var competentVersions: [String] { competent.keys.sorted() }
}
