import Formats
import Foundation
import Model
import Taxonomy

/// Random but valid canonical records from a seed: the same records on every run and machine. Free
/// text mixes the three languages with `&`, `<`, emoji, quotes, tabs and line breaks, so that every
/// format's escaping is exercised.
public struct SyntheticRecords {
    public var random: SeededGenerator
    /// Fiches that every format can write with the taxonomy in force: ADG's format needs the fiche's
    /// ROME 4.0 code, which the shipped taxonomy has for the fixtures' fiches only (all 532 after
    /// `gateway taxonomy import`).
    public let fiches: [FicheCode]
    /// The year dates fall in.
    public var year: Int

    public init(seed: UInt64, taxonomy: Taxonomy, year: Int = 2026) {
        random = SeededGenerator(seed: seed)
        self.year = year
        fiches = taxonomy.nodes.values.filter { $0.level == .fiche }.compactMap { FicheCode(rawValue: $0.code) }
            .filter { taxonomy.rome4Code(for: $0) != nil }.sorted()
    }

    /// Records over a list of fiches already chosen (many generators, one list).
    public init(seed: UInt64, fiches: [FicheCode], year: Int) {
        random = SeededGenerator(seed: seed)
        self.fiches = fiches
        self.year = year
    }

    public mutating func int(_ bound: Int) -> Int { random.next(bound) }

    public mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }

    static let words = ["Soudeur", "Lasser", "Schweißer", "équipe & co", "<b>vet</b>", "naïve café", "Ölwechsel", "line\nbreak", "emoji 😀", "\"quoted\"", "tab\there"]

    public mutating func text(_ n: Int) -> String { (0..<n).map { _ in pick(Self.words) }.joined(separator: " ") }

    /// A day of `year`, or of the month given.
    public mutating func date(_ year: Int, month: Int? = nil) -> CalendarDate {
        CalendarDate(year: year, month: month ?? 1 + int(12), day: 1 + int(28))!
    }

    public mutating func kbo() -> EnterpriseNumber {
        let body = 4_000_000 + int(5_000_000)
        let s = String(body), padded = String(repeating: "0", count: 8 - s.count) + s
        let check = 97 - body % 97
        return try! EnterpriseNumber(padded + (check < 10 ? "0" : "") + String(check))
    }

    public mutating func occupation(version: String) -> Occupation {
        let fiche = pick(fiches)
        return Occupation(fiche: fiche, source: OccupationSource(scheme: .competent, version: version, code: fiche.rawValue))
    }

    /// Postcodes of each agency's own area, for its vacancies' workplaces.
    static let postcodes: [Agency: [Int]] = [.vdab: [2000, 3000, 8500, 9000, 1500], .forem: [1348, 4000, 5000, 6000, 7000],
                                             .actiris: [1000, 1050, 1200], .adg: [4700, 4780], .bf: [1000, 1080]]

    /// A vacancy of `origin`; `published` in `year` unless given. With `localWorkplace`, the
    /// workplace is in the origin's own area, else anywhere.
    public mutating func vacancy(origin: Agency, id: String, version: Int = 1, published: CalendarDate? = nil, localWorkplace: Bool = false) -> Vacancy {
        let published = published ?? date(year)
        let postcodes = localWorkplace ? Self.postcodes[origin]! : [1000, 1348, 2000, 4000, 4700, 4780, 5000, 8500, 9000]
        return Vacancy(origin: origin, id: try! RecordID(id), version: try! RecordVersion(version), status: pick(VacancyStatus.allCases),
                       text: LocalizedText(language: pick([.dutch, .french, .german]), title: text(3), description: int(2) == 0 ? nil : text(8)),
                       occupation: occupation(version: "2019"), bottleneck: int(2) == 0, openPositions: 1 + int(5), contract: pick(ContractType.allCases),
                       schedule: pick(ScheduleType.allCases), hoursPerWeek: HoursPerWeek(hundredths: 100 * (10 + int(30)) + pick([0, 50, 25])),
                       employer: Employer(name: text(2), enterpriseNumber: kbo()),
                       workplace: Workplace(postcode: try! Postcode(String(pick(postcodes))), municipality: text(1)),
                       languages: int(2) == 0 ? [] : [LanguageRequirement(language: .dutch, level: pick([.a2, .b1, .b2, .c1])),
                                                       LanguageRequirement(language: .french, level: pick([.a2, .b1, .b2, .c1]))],
                       publicationDate: published, closingDate: int(2) == 0 ? nil : CalendarDate(year: published.year + 1, month: published.month, day: published.day))
    }

    /// A vacancy numbered `index` (`GEN-index`), of any version.
    public mutating func vacancy(origin: Agency, index: Int) -> Vacancy {
        vacancy(origin: origin, id: "GEN-\(index)", version: 1 + int(9))
    }

    /// A trainee record of the training `agency`, referred by `referring` (any agency if nil),
    /// starting in `year` (in `month` if given).
    public mutating func trainee(agency: Agency, id: String, version: Int = 1, referring: Agency? = nil, month: Int? = nil,
                                 status: TraineeStatus? = nil) -> TraineeRecord {
        let born = 1960 + int(45), birth = CalendarDate(year: born, month: 1 + int(12), day: 1 + int(28))!
        let yy = born % 100, body = yy * 10_000_000 + birth.month * 100_000 + birth.day * 1_000 + int(997) + 1
        let checked = (born >= 2000 ? 2_000_000_000 : 0) + body
        let digits = String(format: "%09d%02d", body, 97 - checked % 97)
        let inCompany = int(2) == 0
        let status = status ?? pick(TraineeStatus.allCases)
        let start = date(year, month: month)
        let native = TraineeRules.profile.inCompanySchemes[agency]!.sorted().first!
        return TraineeRecord(id: try! RecordID(id), version: try! RecordVersion(version), referringAgency: referring ?? pick(AgencyDirectory.profile.codes),
                             trainingAgency: agency,
                             person: Person(nationalNumber: try! NationalNumber(digits, birthDate: birth), lastName: text(1), firstName: text(1), birthDate: birth,
                                            gender: pick(Gender.allCases)),
                             scheme: inCompany ? .inCompany(native) : .centre, occupation: occupation(version: "2019"),
                             employer: inCompany ? Employer(name: text(2), enterpriseNumber: kbo()) : nil,
                             period: TrainingPeriod(start: start, plannedEnd: CalendarDate(year: year + 1, month: start.month, day: start.day)!,
                                                    actualEnd: status.hasEnded ? CalendarDate(year: year + 1, month: 1, day: 1)! : nil),
                             status: status)
    }

    /// A trainee record numbered `index` (`GEN-index`), of any version and referring agency.
    public mutating func trainee(agency: Agency, index: Int) -> TraineeRecord {
        let version = 1 + int(5)
        return trainee(agency: agency, id: "GEN-\(index)", version: version)
    }
}
