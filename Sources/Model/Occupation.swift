/// A ROME v3 fiche code: one letter A–N and four digits (`M1805`). The occupation pivot.
public struct FicheCode: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init?(rawValue: String) {
        let b = Array(rawValue.utf8)
        guard b.count == 5, (65...78).contains(b[0]), b[1...].allSatisfy({ (48...57).contains($0) }) else { return nil }
        self.rawValue = rawValue
    }

    /// The grand domaine, one letter (`M`).
    public var grandDomain: String { String(rawValue.prefix(1)) }
    /// The domaine professionnel, letter and two digits (`M18`).
    public var domain: String { String(rawValue.prefix(3)) }

    public var description: String { rawValue }
    public static func < (a: FicheCode, b: FicheCode) -> Bool { a.rawValue < b.rawValue }
}

/// An OGR appellation code: 5 or 6 digits, belonging to exactly one fiche.
public struct AppellationCode: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init?(rawValue: String) {
        let b = Array(rawValue.utf8)
        guard (5...6).contains(b.count), b.allSatisfy({ (48...57).contains($0) }) else { return nil }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
    public static func < (a: AppellationCode, b: AppellationCode) -> Bool {
        (a.rawValue.count, a.rawValue) < (b.rawValue.count, b.rawValue)
    }
}

/// The classification an origin coded an occupation in.
public enum OccupationScheme: String, Sendable, Hashable, CaseIterable, Codable {
    /// VDAB's and Actiris's Competent, version-tagged.
    case competent = "COMPETENT"
    /// France Travail's ROME: version `3` (fiches, Le Forem, Bruxelles Formation) or `4.0` (ADG).
    case rome = "ROME"
}

/// The occupation code exactly as the origin gave it, kept beside the pivot.
public struct OccupationSource: Hashable, Sendable {
    public var scheme: OccupationScheme
    /// As given: `2019`, `3`, `4.0`, … at most 16 characters.
    public var version: String
    /// As given: `^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`.
    public var code: String

    public init(scheme: OccupationScheme, version: String, code: String) {
        self.scheme = scheme
        self.version = version
        self.code = code
    }
}

/// A record's occupation: the ROME v3 pivot, an optional appellation of that fiche, and the
/// source code as the origin gave it (with its free-text label, if any).
public struct Occupation: Hashable, Sendable {
    public var fiche: FicheCode
    public var appellation: AppellationCode?
    public var source: OccupationSource
    /// The label of the source code as the origin wrote it (`beroepsnaam`), not a taxonomy label.
    public var sourceLabel: String?

    public init(fiche: FicheCode, appellation: AppellationCode? = nil, source: OccupationSource, sourceLabel: String? = nil) {
        self.fiche = fiche
        self.appellation = appellation
        self.source = source
        self.sourceLabel = sourceLabel
    }
}
