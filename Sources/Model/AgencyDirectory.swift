/// The bodies that exchange through the gateways: for each its code, its names, its languages,
/// whether it trains and under which in-company schemes, and the regions it serves.
///
/// A gateway reads its directory from `mappings/agencies.yaml`; ``profile`` is what the
/// specifications fix (`exchange-records.md` §2 and §3: five agencies, their in-company schemes)
/// and is the default where no mappings folder is read. A sixth body is an entry in that file.
///
/// ```swift
/// let directory = try AgencyDirectory(AgencyDirectory.profile.entries + [efp])
/// directory.contains(Agency(rawValue: "EFP")!)    // true
/// directory.traineeRules.inCompanySchemes         // EFP's schemes beside the five's
/// ```
public struct AgencyDirectory: Sendable, Equatable {
    /// One body of the directory.
    public struct Entry: Sendable, Equatable {
        public var code: Agency
        /// Its name in full, by language (`fr`, `nl`, `de`); the code where a language lacks one.
        public var names: [LanguageCode: String]
        /// The languages it works in, its own first.
        public var languages: [LanguageCode]
        /// Whether it trains people (a training agency of trainee records).
        public var trains: Bool
        /// Its in-company schemes, by their native names (`IBO`, `PFI`, …); none for a body that
        /// trains in centres only or trains nobody.
        public var inCompanySchemes: [InCompanyScheme]
        /// The regions it serves.
        public var regions: [Region]

        public init(code: Agency, names: [LanguageCode: String] = [:], languages: [LanguageCode] = [], trains: Bool,
                    inCompanySchemes: [InCompanyScheme] = [], regions: [Region] = []) {
            self.code = code
            self.names = names
            self.languages = languages
            self.trains = trains
            self.inCompanySchemes = inCompanySchemes
            self.regions = regions
        }
    }

    /// An in-company training scheme: its native name, as records carry it, and what it is called.
    public struct InCompanyScheme: Sendable, Equatable {
        public var nativeName: String
        public var names: [LanguageCode: String]

        public init(nativeName: String, names: [LanguageCode: String] = [:]) {
            self.nativeName = nativeName
            self.names = names
        }
    }

    /// A directory that cannot be made: two entries with one code, or an in-company scheme of a
    /// body that does not train.
    public struct Fault: Error, Equatable, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// The entries, in the order given.
    public let entries: [Entry]
    private let known: Set<Agency>
    /// Which bodies train, and under which in-company schemes: the rules a trainee record is held to.
    public let traineeRules: TraineeRules

    public init(_ entries: [Entry]) throws(Fault) {
        var seen: Set<Agency> = []
        for entry in entries {
            guard seen.insert(entry.code).inserted else { throw Fault(description: "\(entry.code) appears twice") }
            if !entry.trains && !entry.inCompanySchemes.isEmpty {
                throw Fault(description: "\(entry.code) trains nobody, so it runs no in-company scheme")
            }
        }
        self.entries = entries
        known = seen
        traineeRules = TraineeRules(inCompanySchemes: Dictionary(uniqueKeysWithValues: entries.filter(\.trains).map {
            ($0.code, Set($0.inCompanySchemes.map(\.nativeName)))
        }))
    }

    /// The codes, in the directory's order.
    public var codes: [Agency] { entries.map(\.code) }

    /// The codes as a message lists them: `VDAB, FOREM, …`.
    public var listed: String { codes.map(\.rawValue).joined(separator: ", ") }

    public func contains(_ agency: Agency) -> Bool { known.contains(agency) }

    public subscript(_ agency: Agency) -> Entry? { entries.first { $0.code == agency } }

    /// The agency named by `code`, if the directory holds it.
    public func agency(_ code: String) -> Agency? {
        guard let agency = Agency(rawValue: code), known.contains(agency) else { return nil }
        return agency
    }

    /// The name in full in `language`, else in the body's own first language, else its code.
    public func name(of agency: Agency, in language: LanguageCode) -> String {
        guard let entry = self[agency] else { return agency.rawValue }
        return entry.names[language] ?? entry.languages.lazy.compactMap { entry.names[$0] }.first ?? agency.rawValue
    }

    public static func == (a: AgencyDirectory, b: AgencyDirectory) -> Bool { a.entries == b.entries }

    /// What the specifications fix: `VDAB`, `FOREM`, `ACTIRIS`, `ADG`, `BF` (`exchange-records.md`
    /// §2), and the in-company schemes of §3 — VDAB `IBO`, FOREM `PFI`, ADG `IBU`, BF `FPI` and
    /// `FPI-E`; Actiris trains nobody. Codes and rules only: names live in `mappings/agencies.yaml`.
    public static let profile = try! AgencyDirectory([
        Entry(code: .vdab, trains: true, inCompanySchemes: [InCompanyScheme(nativeName: "IBO")]),
        Entry(code: .forem, trains: true, inCompanySchemes: [InCompanyScheme(nativeName: "PFI")]),
        Entry(code: .actiris, trains: false),
        Entry(code: .adg, trains: true, inCompanySchemes: [InCompanyScheme(nativeName: "IBU")]),
        Entry(code: .bf, trains: true, inCompanySchemes: [InCompanyScheme(nativeName: "FPI"), InCompanyScheme(nativeName: "FPI-E")]),
    ])
}
