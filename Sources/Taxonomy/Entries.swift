import Model

/// The three levels of the ROME v3 tree.
public enum RomeLevel: String, Sendable, Hashable, CaseIterable, Codable {
    case grandDomain = "grand domaine"
    case domain = "domaine professionnel"
    case fiche = "fiche"

    /// The level a code's form gives: `A`, `A11`, `A1101`; nil for any other form.
    public init?(code: String) {
        let b = Array(code.utf8)
        guard let first = b.first, (65...78).contains(first), b.dropFirst().allSatisfy({ (48...57).contains($0) }) else { return nil }
        switch b.count {
        case 1: self = .grandDomain
        case 3: self = .domain
        case 5: self = .fiche
        default: return nil
        }
    }

    /// The code of the parent of a code at this level: `A11` → `A`, `A1101` → `A11`.
    public static func parent(of code: String) -> String? {
        switch code.utf8.count {
        case 3: String(code.prefix(1))
        case 5: String(code.prefix(3))
        default: nil
        }
    }
}

/// A code of the ROME v3 tree with its French label, as the official file gives it.
public struct RomeEntry: Hashable, Sendable {
    public var code: String
    public var label: String
    public init(code: String, label: String) { self.code = code; self.label = label }
}

/// An OGR appellation of ROME v3: a job title that belongs to exactly one fiche.
public struct Appellation: Hashable, Sendable {
    public var code: AppellationCode
    public var fiche: FicheCode
    public var label: String
    public init(code: AppellationCode, fiche: FicheCode, label: String) { self.code = code; self.fiche = fiche; self.label = label }
}

/// A ROME 4.0 code (`code_rome`) with its ROME v3 parent fiche (`code_rome_parent`).
public struct Rome4Code: Hashable, Sendable {
    public var code: String
    public var parent: FicheCode
    public var label: String
    public init(code: String, parent: FicheCode, label: String) { self.code = code; self.parent = parent; self.label = label }
}

/// A ROME 4.0 appellation (`code_ogr`): the ROME 4.0 code it sits under, and its own ROME v3 fiche.
///
/// The official file's `code_rome_parent` is the appellation's fiche, which is not always the parent
/// of its `code_rome` (404 of 13,120 rows in v4.60): every ROME v3 appellation keeps its v3 fiche there.
public struct Rome4Appellation: Hashable, Sendable {
    public var code: AppellationCode
    public var rome4: String
    public var fiche: FicheCode
    public var label: String
    public init(code: AppellationCode, rome4: String, fiche: FicheCode, label: String) {
        self.code = code
        self.rome4 = rome4
        self.fiche = fiche
        self.label = label
    }
}

/// The content of the ROME v3 files: the tree and its appellations.
public struct RomeV3Content: Hashable, Sendable {
    public var entries: [RomeEntry]
    public var appellations: [Appellation]
    public init(entries: [RomeEntry], appellations: [Appellation]) { self.entries = entries; self.appellations = appellations }

    /// Entries at one level of the tree.
    public func count(_ level: RomeLevel) -> Int { entries.count { RomeLevel(code: $0.code) == level } }
}

/// The content of the ROME 4.0 files: codes with their v3 parents, and appellations.
public struct RomeV4Content: Hashable, Sendable {
    public var codes: [Rome4Code]
    public var appellations: [Rome4Appellation]
    public init(codes: [Rome4Code], appellations: [Rome4Appellation]) { self.codes = codes; self.appellations = appellations }
}

/// Labels of one code in the three languages of the agencies.
public struct Labels: Hashable, Sendable {
    public var fr: String
    public var nl: String
    public var de: String
    public init(fr: String, nl: String, de: String) { self.fr = fr; self.nl = nl; self.de = de }

    /// The label in a language; French for a language other than nl and de.
    public subscript(language: LanguageCode) -> String {
        switch language {
        case .dutch: nl
        case .german: de
        default: fr
        }
    }
}

/// One version of the Competent → ROME v3 table: the identity, but for listed exceptions.
public struct CompetentVersion: Hashable, Sendable {
    public var version: String
    /// Competent code → its pivot, or nil when it has none.
    public var exceptions: [String: FicheCode?]
    public init(version: String, exceptions: [String: FicheCode?]) { self.version = version; self.exceptions = exceptions }
}
