import Model

/// The taxonomy the project ships in `mappings/taxonomy/`: complete ROME v3 tree with fr/nl/de
/// labels, the appellations and ROME 4.0 codes the fixtures use, and the Competent tables.
public struct ShippedTaxonomy: Sendable {
    public var v3: RomeV3Content
    public var labels: [String: Labels]
    public var v4: RomeV4Content
    public var competent: [CompetentVersion]

    public init(v3: RomeV3Content, labels: [String: Labels], v4: RomeV4Content, competent: [CompetentVersion]) {
        self.v3 = v3
        self.labels = labels
        self.v4 = v4
        self.competent = competent
    }
}

/// What `gateway taxonomy import` put in the store: the official content that takes the place of
/// the shipped codes and appellations. Labels in Dutch and German, and the Competent tables, always
/// come from `mappings/`.
public struct ImportedTaxonomy: Hashable, Sendable {
    /// RFC 3339 instant of the last import.
    public var importedAt: String
    public var v3: RomeV3Content?
    /// The names of the files the ROME v3 content came from.
    public var v3Sources: [String]
    public var v4: RomeV4Content?
    /// The names of the files the ROME 4.0 content came from.
    public var v4Sources: [String]

    public init(importedAt: String, v3: RomeV3Content?, v3Sources: [String], v4: RomeV4Content?, v4Sources: [String]) {
        self.importedAt = importedAt
        self.v3 = v3
        self.v3Sources = v3Sources
        self.v4 = v4
        self.v4Sources = v4Sources
    }

    /// Every file the stored content came from, ROME v3 first.
    public var sources: [String] { v3Sources + v4Sources }
}

/// Where imported taxonomy content is kept. The gateway's store implements it; tests use memory.
public protocol TaxonomyStore: Sendable {
    /// The last import, or nil when none was made.
    func importedTaxonomy() async throws -> ImportedTaxonomy?
    /// Replaces the stored import as a whole, atomically: a failure leaves the previous one.
    func replaceImportedTaxonomy(_ taxonomy: ImportedTaxonomy) async throws
}

extension Taxonomy {
    /// The taxonomy in force: the shipped one, with imported official content in place of the
    /// shipped codes and appellations where an import holds them.
    public init(shipped: ShippedTaxonomy, imported: ImportedTaxonomy?) throws(TaxonomyError) {
        var provenance = "shipped mappings"
        if let imported {
            provenance = "imported \(imported.importedAt) from \(imported.sources.joined(separator: ", ")); labels from mappings"
        }
        try self.init(v3: imported?.v3 ?? shipped.v3, labels: shipped.labels, v4: imported?.v4 ?? shipped.v4,
                      competent: shipped.competent, provenance: provenance)
    }
}

/// How ROME v3 appellations reappear in ROME 4.0: France Travail kept every v3 OGR code, under a
/// ROME 4.0 code whose parent is the same fiche.
public struct AppellationContinuity: Hashable, Sendable {
    public var v3Appellations: Int
    /// v3 appellations present in ROME 4.0 with the same fiche.
    public var kept: Int
    /// v3 appellations absent from ROME 4.0.
    public var missing: [AppellationCode]
    /// v3 appellations whose ROME 4.0 parent fiche differs: (code, v3 fiche, v4 parent fiche).
    public var moved: [(AppellationCode, FicheCode, FicheCode)]

    public init(v3: RomeV3Content, v4: RomeV4Content) {
        var v4Fiche: [AppellationCode: FicheCode] = [:]
        for a in v4.appellations { v4Fiche[a.code] = a.fiche }
        v3Appellations = v3.appellations.count
        kept = 0
        missing = []
        moved = []
        for a in v3.appellations {
            switch v4Fiche[a.code] {
            case nil: missing.append(a.code)
            case a.fiche?: kept += 1
            case let other?: moved.append((a.code, a.fiche, other))
            }
        }
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.v3Appellations == b.v3Appellations && a.kept == b.kept && a.missing == b.missing
            && a.moved.map { "\($0.0)\($0.1)\($0.2)" } == b.moved.map { "\($0.0)\($0.1)\($0.2)" }
    }

    public func hash(into h: inout Hasher) { h.combine(kept); h.combine(missing) }
}
