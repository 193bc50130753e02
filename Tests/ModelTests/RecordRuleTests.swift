import Model
import Testing

/// A valid vacancy and trainee record to break one rule at a time.
enum Sample {
    static func date(_ text: String) -> CalendarDate { try! CalendarDate(iso: text, field: "date") }

    static let occupation = Occupation(fiche: FicheCode(rawValue: "H2913")!,
                                       source: OccupationSource(scheme: .competent, version: "2019", code: "H2913"))

    static var vacancy: Vacancy {
        Vacancy(origin: .vdab, id: try! RecordID("70012345"), version: try! RecordVersion(3), status: .open,
                text: LocalizedText(language: .dutch, title: "Lasser TIG", description: "Je last roestvrij staal."),
                occupation: occupation, bottleneck: true, openPositions: 2, contract: .permanent, schedule: .fullTime,
                hoursPerWeek: HoursPerWeek(hundredths: 3800),
                employer: Employer(name: "Metaalwerken Gent NV", enterpriseNumber: try! EnterpriseNumber("0403.170.701")),
                workplace: Workplace(postcode: try! Postcode("9000"), municipality: "Gent"),
                languages: [LanguageRequirement(language: .dutch, level: .b2), LanguageRequirement(language: .french, level: .a2)],
                publicationDate: date("2026-11-02"), closingDate: date("2026-12-31"))
    }

    static var trainee: TraineeRecord {
        TraineeRecord(id: try! RecordID("IBO-2026-000123"), version: try! RecordVersion(1), referringAgency: .forem, trainingAgency: .vdab,
                      person: Person(nationalNumber: try! NationalNumber("85073100328"), lastName: "Peeters", firstName: "An",
                                     birthDate: date("1985-07-31"), gender: .female),
                      scheme: .inCompany("IBO"), occupation: occupation,
                      employer: Employer(name: "Metaalwerken Gent NV", enterpriseNumber: try! EnterpriseNumber("0403170701")),
                      period: TrainingPeriod(start: date("2026-01-12"), plannedEnd: date("2026-06-30")), status: .started,
                      linkedVacancy: VacancyReference(originAgency: .vdab, vacancyId: try! RecordID("70012345")))
    }
}

@Suite("Vacancy rules")
struct VacancyRuleTests {
    @Test("the sample is valid")
    func valid() {
        #expect(Sample.vacancy.violations().isEmpty)
        #expect(Sample.vacancy.workplace.region == .flanders)
    }

    @Test("a closing date before publication is INVALID_DATE on closingDate")
    func closingBeforePublication() {
        var v = Sample.vacancy
        v.closingDate = Sample.date("2026-11-01")
        #expect(v.violations().map(\.field) == ["closingDate"])
        #expect(v.violations().first?.code == .invalidDate)
    }

    @Test("every broken rule is listed")
    func several() {
        var v = Sample.vacancy
        v.text.title = "   "
        v.openPositions = 0
        v.hoursPerWeek = HoursPerWeek(hundredths: 6001)
        v.languages.append(LanguageRequirement(language: .dutch, level: .c1))
        v.translations = [LocalizedText(language: .dutch, title: "Lasser")]
        let found = v.violations()
        #expect(found.map(\.field) == ["title", "title", "openPositions", "hoursPerWeek", "languages"])
        #expect(found.map(\.code) == [.missingField, .invalidValue, .invalidValue, .invalidValue, .invalidValue])
    }

    @Test("text lengths count characters, accents and emoji included")
    func lengths() {
        var v = Sample.vacancy
        v.text.title = String(repeating: "é", count: 200)
        #expect(v.violations().isEmpty)
        v.text.title += "🔧"
        #expect(v.violations().map(\.code) == [.invalidValue])
    }
}

@Suite("Trainee record rules")
struct TraineeRuleTests {
    let rules = TraineeRules.profile

    @Test("the sample is valid")
    func valid() { #expect(rules.violations(of: Sample.trainee).isEmpty) }

    @Test("centre training has neither employer nor native scheme name")
    func centre() {
        var t = Sample.trainee
        t.scheme = .centre
        #expect(rules.violations(of: t).map(\.field) == ["employerName"])
        t.employer = nil
        #expect(rules.violations(of: t).isEmpty)
        t.scheme = TraineeScheme(type: .centre, nativeName: "CENTRUM")
        #expect(rules.violations(of: t).map(\.field) == ["scheme"])
    }

    @Test("in-company training needs its employer")
    func inCompany() {
        var t = Sample.trainee
        t.employer = nil
        #expect(rules.violations(of: t).map(\.code) == [.missingField])
    }

    @Test("the native name must be one the training agency runs")
    func nativeNames() {
        var t = Sample.trainee
        t.trainingAgency = .bf
        t.scheme = .inCompany("FPI-E")
        #expect(rules.violations(of: t).isEmpty)
        t.scheme = .inCompany("IBO")
        #expect(rules.violations(of: t).map(\.field) == ["scheme"])
    }

    @Test("Actiris trains nobody")
    func actiris() {
        var t = Sample.trainee
        t.trainingAgency = .actiris
        #expect(rules.violations(of: t).map(\.field) == ["trainingAgency"])
    }

    @Test("an actual end date exactly when the training ended")
    func actualEnd() {
        var t = Sample.trainee
        t.status = .completed
        #expect(rules.violations(of: t).map(\.code) == [.missingField])
        t.period.actualEnd = Sample.date("2026-06-30")
        #expect(rules.violations(of: t).isEmpty)
        t.period.actualEnd = Sample.date("2026-01-11")
        #expect(rules.violations(of: t).map(\.code) == [.invalidDate])
        t.status = .started
        t.period.actualEnd = Sample.date("2026-03-01")
        #expect(rules.violations(of: t).map(\.code) == [.invalidValue])
    }

    @Test("a planned end before the start is INVALID_DATE")
    func plannedEnd() {
        var t = Sample.trainee
        t.period.plannedEnd = Sample.date("2025-12-31")
        #expect(rules.violations(of: t).map(\.code) == [.invalidDate])
    }

    @Test("printing a record, as a careless log line would, shows no personal data")
    func redacted() {
        let t = Sample.trainee
        for text in ["\(t)", String(describing: t), String(reflecting: t), "\(t.person)"] {
            for secret in ["Peeters", "\"An\"", "850731", "1985", "85073100328"] {
                #expect(!text.contains(secret), "\(secret) in \(text)")
            }
        }
    }

    @Test("the national number's century must match the birth date")
    func century() {
        var t = Sample.trainee
        t.person.birthDate = Sample.date("2005-07-31")
        #expect(rules.violations(of: t).map(\.code) == [.invalidNationalNumber])
    }
}
