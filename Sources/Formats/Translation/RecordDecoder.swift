import Model
import Taxonomy

/// Reads canonical records out of documents through a format mapping, checking every rule of the
/// model and the taxonomy: a record is either whole and valid, or rejected with its faults.
public struct RecordDecoder: Sendable {
    public let mapping: FormatMapping
    public let taxonomy: Taxonomy
    public let traineeRules: TraineeRules

    /// Trainee records are held to the mapping's rules (its agency directory's).
    public init(mapping: FormatMapping, taxonomy: Taxonomy) {
        self.mapping = mapping
        self.taxonomy = taxonomy
        self.traineeRules = mapping.traineeRules
    }

    /// Decodes one record; `sender` is the agency the document's header names, `index` its place.
    public func decode(_ source: any RecordSource, sender: Agency, index: Int) -> Decoded {
        let fields = FieldReader(source: source, mapping: mapping)
        let rawId = fields.text(.recordId)
        let id = rawId.flatMap { raw in fields.attempt { () throws(FieldError) in try RecordID(raw) } }
        let version = fields.integer(.version).flatMap { n in fields.attempt { () throws(FieldError) in try RecordVersion(n) } }
        let record: CanonicalRecord?
        switch mapping.recordType {
        case .vacancy: record = vacancy(fields, id: id, version: version, origin: sender).map(CanonicalRecord.vacancy)
        case .trainee: record = trainee(fields, id: id, version: version).map(CanonicalRecord.trainee)
        }
        var errors = fields.errors
        if let record, errors.isEmpty {
            switch record {
            case .vacancy(let v): errors = v.violations()
            case .trainee(let t): errors = traineeRules.violations(of: t)
            }
        }
        return Decoded(recordId: rawId ?? "#\(index + 1)", record: errors.isEmpty ? record : nil, errors: errors, losses: fields.losses)
    }

    /// A format spells only its own agency's in-company scheme; the profile fixes each training
    /// agency's own (VDAB IBO, FOREM PFI, ADG IBU, BF FPI or FPI-E). A record of another training
    /// agency, written in this format under this format's name, gets its training agency's name
    /// back (the first, where it has several; the writer listed that loss).
    func inCompanyName(_ written: String, trainingAgency: Agency?) -> String {
        guard let agency = trainingAgency, let own = traineeRules.inCompanySchemes[agency], !own.contains(written),
              let first = own.sorted().first else { return written }
        return first
    }

    func occupation(_ f: FieldReader) -> Occupation? {
        guard let schemeText = f.text(.occupationScheme), let version = f.text(.occupationVersion), let code = f.text(.occupationCode) else { return nil }
        guard let scheme = OccupationScheme(rawValue: schemeText) else {
            f.record(FieldError("occupation", .invalidValue, "occupation scheme '\(schemeText.prefix(16))' is not COMPETENT or ROME"))
            return nil
        }
        let appellation = f.heldText(.occupationAppellation), label = f.heldText(.occupationLabel)
        return f.attempt { () throws(FieldError) in
            try taxonomy.occupation(source: OccupationSource(scheme: scheme, version: version, code: code), appellation: appellation, sourceLabel: label)
        }
    }

    func employer(_ f: FieldReader, required: Bool) -> Employer? {
        let name = f.text(.employerName, required: required), number = f.text(.enterpriseNumber, required: required)
        guard let name, let number else { return nil }
        return f.attempt { () throws(FieldError) in Employer(name: name, enterpriseNumber: try EnterpriseNumber(number)) }
    }

    func vacancy(_ f: FieldReader, id: RecordID?, version: RecordVersion?, origin: Agency) -> Vacancy? {
        let status = f.canonical(.status, as: VacancyStatus.self)
        var texts: [LocalizedText]
        if mapping.rule(.title)?.languageKey != nil {
            texts = f.localizedTexts()
        } else {
            let title = f.text(.title), description = f.heldText(.description)
            let language = f.text(.titleLanguage).flatMap { t in f.attempt { () throws(FieldError) in try LanguageCode(t, field: "title") } }
            texts = title.flatMap { t in language.map { [LocalizedText(language: $0, title: t, description: description)] } } ?? []
        }
        let occupation = occupation(f)
        let bottleneck = f.boolean(.bottleneck)
        let positions = f.integer(.openPositions)
        let contract = f.canonical(.contractType, as: ContractType.self)
        let schedule = f.canonical(.schedule, as: ScheduleType.self)
        let hours = f.decimal(.hoursPerWeek)
        let employer = employer(f, required: true)
        let postcode = f.text(.postcode).flatMap { t in f.attempt { () throws(FieldError) in try Postcode(t) } }
        let municipality = f.text(.municipality)
        let languages = f.languages()
        let published = f.date(.publicationDate), closing = f.date(.closingDate, required: false)
        guard let id, let version, let status, let main = texts.first, let occupation, let bottleneck, let positions, let contract,
              let schedule, let hours, let employer, let postcode, let municipality, let published else { return nil }
        return Vacancy(origin: origin, id: id, version: version, status: status,
                       text: main, translations: Array(texts.dropFirst()), occupation: occupation,
                       bottleneck: bottleneck, openPositions: positions, contract: contract, schedule: schedule, hoursPerWeek: hours,
                       employer: employer, workplace: Workplace(postcode: postcode, municipality: municipality), languages: languages,
                       publicationDate: published, closingDate: closing)
    }

    func trainee(_ f: FieldReader, id: RecordID?, version: RecordVersion?) -> TraineeRecord? {
        let birth = f.date(.birthDate)
        let national = f.text(.nationalNumber).flatMap { t in f.attempt { () throws(FieldError) in try NationalNumber(t, birthDate: birth) } }
        let last = f.text(.lastName), first = f.text(.firstName)
        let gender = f.canonical(.gender, as: Gender.self)
        let referring = f.agency(.referringAgency), training = f.agency(.trainingAgency)
        let scheme: TraineeScheme? = f.code(.scheme).map { value in
            guard value.hasPrefix("IN_COMPANY:") else { return .centre }
            return .inCompany(inCompanyName(String(value.dropFirst("IN_COMPANY:".count)), trainingAgency: training))
        }
        let occupation = occupation(f)
        let employer = employer(f, required: false)
        let start = f.date(.periodStart), planned = f.date(.periodPlannedEnd), actual = f.date(.periodActualEnd, required: false)
        let status = f.canonical(.status, as: TraineeStatus.self)
        let vacancyId = f.heldText(.linkedVacancyId).flatMap { t in f.attempt { () throws(FieldError) in try RecordID(t, field: "linkedVacancy") } }
        let vacancyAgency = f.agency(.linkedVacancyAgency, required: false) ?? training
        guard let id, let version, let birth, let national, let last, let first, let gender, let referring, let training, let scheme,
              let occupation, let start, let planned, let status else { return nil }
        return TraineeRecord(id: id, version: version, referringAgency: referring, trainingAgency: training,
                             person: Person(nationalNumber: national, lastName: last, firstName: first, birthDate: birth, gender: gender),
                             scheme: scheme, occupation: occupation, employer: employer,
                             period: TrainingPeriod(start: start, plannedEnd: planned, actualEnd: actual), status: status,
                             linkedVacancy: vacancyId.flatMap { id in vacancyAgency.map { VacancyReference(originAgency: $0, vacancyId: id) } })
    }
}
