import Formats
import Model
import Taxonomy

/// A deterministic stream of plausible Le Forem vacancy documents, for benchmarks: real fiches and
/// appellations of the taxonomy in force, valid enterprise numbers, Walloon postcodes, French text
/// with accents, `&` and line breaks.
public struct SyntheticVacancies {
    var random: SeededGenerator
    let fiches: [(code: String, label: String, appellations: [String])]

    public init(taxonomy: Taxonomy, seed: UInt64 = 2019) {
        random = SeededGenerator(seed: seed)
        var byFiche: [String: [String]] = [:]
        for a in taxonomy.appellations.values { byFiche[a.fiche.rawValue, default: []].append(a.code.rawValue) }
        fiches = taxonomy.nodes.values.filter { $0.level == .fiche }.sorted { $0.code < $1.code }
            .map { ($0.code, $0.labels.fr, (byFiche[$0.code] ?? []).sorted()) }
    }

    mutating func next(_ bound: Int) -> Int { random.next(bound) }

    static let towns = [(4000, "Liège"), (5000, "Namur"), (6000, "Charleroi"), (7000, "Mons"), (1300, "Wavre"), (4800, "Verviers"),
                        (6700, "Arlon"), (7500, "Tournai"), (1400, "Nivelles"), (5500, "Dinant"), (4500, "Huy"), (6900, "Marche-en-Famenne")]
    static let contracts = ["CDI", "CDD", "INTERIM", "REMPLACEMENT"], states = ["ouverte", "ouverte", "ouverte", "pourvue", "annulee"]

    /// Writes a `lotOffres` of `count` vacancies, one at a time, in ISO-8859-1, numbered from
    /// `first` (`FO-2019-<n>`).
    public mutating func writeForem(count: Int, first: Int = 0, to out: ByteWriter) {
        let writer = XMLDocumentWriter(out: out, root: "lotOffres", namespace: "urn:be:forem:echange:3", encoding: "ISO-8859-1")
        writer.begin(header: [.init(name: "emetteur", value: "FOREM"), .init(name: "dateCreation", value: "31/12/2019 23:00")])
        for i in first..<(first + count) {
            let fiche = fiches[next(fiches.count)]
            let (postcode, town) = Self.towns[next(Self.towns.count)]
            let body = 4_000_000 + next(4_000_000)
            let kbo = try! EnterpriseNumber(String(body).leftPadded(8) + String(97 - body % 97).leftPadded(2))
            let day = 1 + next(28), month = 1 + next(12)
            var metier: [XMLElement.Attribute] = [.init(name: "codeRome", value: fiche.code)]
            if !fiche.appellations.isEmpty && next(2) == 0 {
                metier.append(.init(name: "codeOgr", value: fiche.appellations[next(fiche.appellations.count)]))
            }
            metier.append(.init(name: "enPenurie", value: next(3) == 0 ? "oui" : "non"))
            let fullTime = next(3) != 0
            var children: [XMLElement] = [
                XMLElement(name: "intitule", text: fiche.label),
                XMLElement(name: "description", text: "Poste à pourvoir à \(town) : \(fiche.label.lowercased()).\nÉquipe & formation assurées, réf. \(i)."),
                XMLElement(name: "metier", attributes: metier),
                XMLElement(name: "nombrePostes", text: String(1 + next(4))),
                XMLElement(name: "contrat", attributes: [.init(name: "type", value: Self.contracts[next(4)]),
                                                         .init(name: "regime", value: fullTime ? "temps-plein" : "temps-partiel"),
                                                         .init(name: "heuresSemaine", value: fullTime ? "38,0" : "19,5")]),
                XMLElement(name: "employeur", attributes: [.init(name: "bce", value: kbo.dotted)], text: "Entreprise \(i % 997) de \(town) SA"),
                XMLElement(name: "lieuTravail", attributes: [.init(name: "codePostal", value: String(postcode))], text: town),
            ]
            if next(2) == 0 {
                children.append(XMLElement(name: "langues", children: [XMLElement(name: "langue", attributes: [
                    .init(name: "code", value: ["NL", "DE", "EN"][next(3)]), .init(name: "niveau", value: ["A2", "B1", "B2", "C1"][next(4)])])]))
            }
            children.append(XMLElement(name: "datePublication", text: "\(String(day).leftPadded(2))/\(String(month).leftPadded(2))/2019"))
            if next(2) == 0 { children.append(XMLElement(name: "dateCloture", text: "\(String(day).leftPadded(2))/\(String(month).leftPadded(2))/2020")) }
            writer.write(record: XMLElement(name: "offre", attributes: [.init(name: "numero", value: "FO-2019-\(i)"), .init(name: "version", value: "1"),
                                                                         .init(name: "etat", value: Self.states[next(5)])], children: children))
        }
        writer.end()
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
