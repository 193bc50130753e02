import Formats
import Foundation
import Gateway
import Model
import Taxonomy
import Testing

/// Random but valid canonical records from a seed: the same records on every run and machine.
struct RecordGenerator {
    var random: SeededGenerator
    let fiches: [FicheCode]

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
        // Fiches that every format can write with the shipped taxonomy: ADG's format needs the
        // fiche's ROME 4.0 code, which the shipped taxonomy has for the fixtures' fiches only
        // (all 532 after `gateway taxonomy import`).
        fiches = Translation.taxonomy.nodes.values.filter { $0.level == .fiche }.compactMap { FicheCode(rawValue: $0.code) }
            .filter { Translation.taxonomy.rome4Code(for: $0) != nil }.sorted()
    }

    mutating func int(_ bound: Int) -> Int { random.next(bound) }

    mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }

    static let words = ["Soudeur", "Lasser", "Schweißer", "équipe & co", "<b>vet</b>", "naïve café", "Ölwechsel", "line\nbreak", "emoji 😀", "\"quoted\"", "tab\there"]

    mutating func text(_ n: Int) -> String { (0..<n).map { _ in pick(Self.words) }.joined(separator: " ") }

    mutating func date(_ year: Int) -> CalendarDate { CalendarDate(year: year, month: 1 + int(12), day: 1 + int(28))! }

    mutating func kbo() -> EnterpriseNumber {
        let body = 4_000_000 + int(5_000_000)
        let s = String(body), padded = String(repeating: "0", count: 8 - s.count) + s
        let check = 97 - body % 97
        return try! EnterpriseNumber(padded + (check < 10 ? "0" : "") + String(check))
    }

    mutating func occupation(version: String) -> Occupation {
        let fiche = pick(fiches)
        return Occupation(fiche: fiche, source: OccupationSource(scheme: .competent, version: version, code: fiche.rawValue))
    }

    mutating func vacancy(origin: Agency, index: Int) -> Vacancy {
        let published = date(2026)
        return Vacancy(origin: origin, id: try! RecordID("GEN-\(index)"), version: try! RecordVersion(1 + int(9)), status: pick(VacancyStatus.allCases),
                       text: LocalizedText(language: pick([.dutch, .french, .german]), title: text(3), description: int(2) == 0 ? nil : text(8)),
                       occupation: occupation(version: "2019"), bottleneck: int(2) == 0, openPositions: 1 + int(5), contract: pick(ContractType.allCases),
                       schedule: pick(ScheduleType.allCases), hoursPerWeek: HoursPerWeek(hundredths: 100 * (10 + int(30)) + pick([0, 50, 25])),
                       employer: Employer(name: text(2), enterpriseNumber: kbo()),
                       workplace: Workplace(postcode: try! Postcode(String(pick([1000, 1348, 2000, 4000, 4700, 4780, 5000, 8500, 9000]))), municipality: text(1)),
                       languages: int(2) == 0 ? [] : [LanguageRequirement(language: .dutch, level: pick([.a2, .b1, .b2, .c1])),
                                                       LanguageRequirement(language: .french, level: pick([.a2, .b1, .b2, .c1]))],
                       publicationDate: published, closingDate: int(2) == 0 ? nil : CalendarDate(year: 2027, month: published.month, day: published.day))
    }

    /// An exchange batch from Le Forem to VDAB of `vacancies` generated vacancies, numbered from
    /// `from`; with their ids.
    mutating func batch(id: String, form: ExchangeFormat.Form, vacancies: Int, from: Int) throws -> (body: [UInt8], ids: [String]) {
        let out = ByteWriter()
        let writer = try ExchangeFormat(form: form, recordType: .vacancy).writing(out, taxonomy: Translation.taxonomy,
                                                                                   envelope: EnvelopeFields(receiver: .vdab, batchId: id))
        try writer.begin(sender: .forem, created: Date())
        var ids: [String] = []
        for i in 0..<vacancies {
            let v = vacancy(origin: .forem, index: from + i)
            ids.append(v.id.rawValue)
            _ = writer.write(.vacancy(v))
        }
        writer.end()
        out.flush()
        return (out.collected, ids)
    }

    mutating func trainee(agency: Agency, index: Int) -> TraineeRecord {
        let year = 1960 + int(45), birth = CalendarDate(year: year, month: 1 + int(12), day: 1 + int(28))!
        let yy = year % 100, body = yy * 10_000_000 + birth.month * 100_000 + birth.day * 1_000 + int(997) + 1
        let checked = (year >= 2000 ? 2_000_000_000 : 0) + body
        let digits = String(format: "%09d%02d", body, 97 - checked % 97)
        let inCompany = int(2) == 0
        let status = pick(TraineeStatus.allCases)
        let start = date(2026)
        let native = TraineeRules.profile.inCompanySchemes[agency]!.sorted().first!
        return TraineeRecord(id: try! RecordID("GEN-\(index)"), version: try! RecordVersion(1 + int(5)), referringAgency: pick(Agency.protocolAgencies),
                             trainingAgency: agency,
                             person: Person(nationalNumber: try! NationalNumber(digits, birthDate: birth), lastName: text(1), firstName: text(1), birthDate: birth,
                                            gender: pick(Gender.allCases)),
                             scheme: inCompany ? .inCompany(native) : .centre, occupation: occupation(version: "2019"),
                             employer: inCompany ? Employer(name: text(2), enterpriseNumber: kbo()) : nil,
                             period: TrainingPeriod(start: start, plannedEnd: CalendarDate(year: 2027, month: start.month, day: start.day)!,
                                                    actualEnd: status.hasEnded ? CalendarDate(year: 2027, month: 1, day: 1)! : nil),
                             status: status)
    }
}

@Suite("Round trips over generated records, through every format")
struct GeneratedRecordTests {
    /// Writes records in a format through its writer and reads them back through its reader.
    func roundTrip(_ records: [CanonicalRecord], format: String, type: RecordType, sender: Agency) throws -> (back: [CanonicalRecord], losses: [String: [String]]) {
        let f = Translation.catalog.format(format, type: type)!
        let out = ByteWriter()
        let writer = try f.writing(out, taxonomy: Translation.taxonomy, envelope: EnvelopeFields(receiver: sender == .actiris ? .vdab : .actiris))
        try writer.begin(sender: sender, created: Date())
        var losses: [String: [String]] = [:]
        for r in records {
            let (lost, errors) = writer.write(r)
            #expect(errors.isEmpty, "\(format) \(r.id): \(errors)")
            losses[r.id.rawValue] = lost
        }
        writer.end()
        out.flush()
        return (try Translation.records(out.collected, format: format, type), losses)
    }

    @Test("vacancies", arguments: ["vdab", "forem", "actiris", "adg", "exchange-json", "exchange-xml"])
    func vacancies(_ format: String) throws {
        var generator = RecordGenerator(seed: 42)
        let origin = format == "vdab" ? Agency.vdab : format == "adg" ? .adg : format == "actiris" ? .actiris : .forem
        let records = (0..<300).map { CanonicalRecord.vacancy(generator.vacancy(origin: origin, index: $0)) }
        let (back, losses) = try roundTrip(records, format: format, type: .vacancy, sender: origin)
        #expect(back.count == records.count)
        for (before, after) in zip(records, back) {
            #expect(Translation.comparable(before) == Translation.comparable(after), "\(format) \(before.id)")
            if before != after { #expect(!(losses[before.id.rawValue] ?? []).isEmpty, "\(format) \(before.id) changed without a listed loss") }
            // Free text survives every format: accents, &, <, emoji, quotes, tabs, line breaks.
            if case .vacancy(let b) = before, case .vacancy(let a) = after {
                #expect(a.text.title == b.text.title)
                #expect(a.text.description == b.text.description)
                #expect(a.employer.name == b.employer.name)
            }
        }
    }

    @Test("trainee records", arguments: ["vdab", "forem", "adg", "bf", "exchange-json", "exchange-xml"])
    func trainees(_ format: String) throws {
        var generator = RecordGenerator(seed: 7)
        let agency = format == "vdab" ? Agency.vdab : format == "adg" ? .adg : format == "bf" ? .bf : .forem
        let records = (0..<300).map { CanonicalRecord.trainee(generator.trainee(agency: agency, index: $0)) }
        let (back, losses) = try roundTrip(records, format: format, type: .trainee, sender: agency)
        #expect(back.count == records.count)
        for (before, after) in zip(records, back) {
            #expect(Translation.comparable(before) == Translation.comparable(after), "\(format) \(before.id)")
            if before != after { #expect(!(losses[before.id.rawValue] ?? []).isEmpty, "\(format) \(before.id) changed without a listed loss") }
        }
    }
}
