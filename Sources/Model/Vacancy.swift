/// A job vacancy in the canonical model: every concept of the regional vacancy formats.
public struct Vacancy: Hashable, Sendable {
    /// The agency that published the vacancy; with `id`, names it across all exchanges.
    public var origin: Agency
    public var id: RecordID
    public var version: RecordVersion
    public var status: VacancyStatus
    /// Title and description in the vacancy's main language.
    public var text: LocalizedText
    /// The same title (and description) in up to two further languages (Actiris's second language).
    public var translations: [LocalizedText]
    public var occupation: Occupation
    /// Whether the occupation is a bottleneck (shortage) occupation.
    public var bottleneck: Bool
    public var openPositions: Int
    public var contract: ContractType
    public var schedule: ScheduleType
    public var hoursPerWeek: HoursPerWeek
    public var employer: Employer
    public var workplace: Workplace
    public var languages: [LanguageRequirement]
    public var publicationDate: CalendarDate
    public var closingDate: CalendarDate?

    public init(origin: Agency, id: RecordID, version: RecordVersion, status: VacancyStatus,
                text: LocalizedText, translations: [LocalizedText] = [], occupation: Occupation,
                bottleneck: Bool, openPositions: Int, contract: ContractType, schedule: ScheduleType,
                hoursPerWeek: HoursPerWeek, employer: Employer, workplace: Workplace,
                languages: [LanguageRequirement] = [], publicationDate: CalendarDate, closingDate: CalendarDate? = nil) {
        self.origin = origin
        self.id = id
        self.version = version
        self.status = status
        self.text = text
        self.translations = translations
        self.occupation = occupation
        self.bottleneck = bottleneck
        self.openPositions = openPositions
        self.contract = contract
        self.schedule = schedule
        self.hoursPerWeek = hoursPerWeek
        self.employer = employer
        self.workplace = workplace
        self.languages = languages
        self.publicationDate = publicationDate
        self.closingDate = closingDate
    }
}

extension Vacancy {
    /// The rules of the profile that involve more than one field's form: lengths, ranges,
    /// uniqueness, date order. Every violation is listed, in field order.
    public func violations() -> [FieldError] {
        var found: [FieldError] = []
        func check(_ rule: () throws(FieldError) -> Void) {
            do { try rule() } catch { found.append(error) }
        }
        check { () throws(FieldError) in try requireText(text.title, field: "title", maximum: 200) }
        if let d = text.description { check { () throws(FieldError) in try requireText(d, field: "description", maximum: 20_000) } }
        var titleLanguages: Set<LanguageCode> = [text.language]
        if translations.count > 2 {
            found.append(FieldError("title", .invalidValue, "a vacancy carries at most two translations, got \(translations.count)"))
        }
        for t in translations {
            if !titleLanguages.insert(t.language).inserted {
                found.append(FieldError("title", .invalidValue, "the title is given twice in language '\(t.language)'"))
            }
            check { () throws(FieldError) in try requireText(t.title, field: "title", maximum: 200) }
            if let d = t.description { check { () throws(FieldError) in try requireText(d, field: "description", maximum: 20_000) } }
        }
        if openPositions < 1 {
            found.append(FieldError("openPositions", .invalidValue, "at least one open position, got \(openPositions)"))
        }
        if hoursPerWeek.hundredths <= 0 || hoursPerWeek.hundredths > 6000 {
            found.append(FieldError("hoursPerWeek", .invalidValue, "weekly hours are above 0 and at most 60, got \(hoursPerWeek)"))
        }
        check { () throws(FieldError) in try requireText(employer.name, field: "employerName", maximum: 200) }
        check { () throws(FieldError) in try requireText(workplace.municipality, field: "municipality", maximum: 100) }
        if languages.count > 20 {
            found.append(FieldError("languages", .invalidValue, "at most 20 languages, got \(languages.count)"))
        }
        var seen: Set<LanguageCode> = []
        for l in languages where !seen.insert(l.language).inserted {
            found.append(FieldError("languages", .invalidValue, "language '\(l.language)' is listed twice"))
        }
        if let closing = closingDate {
            check { () throws(FieldError) in
                try requireNotBefore(closing, publicationDate, field: "closingDate", startField: "publicationDate")
            }
        }
        return found
    }
}

/// A required free-text value: not empty or blank, at most `maximum` characters (Unicode scalars,
/// as the profile's validator counts them).
public func requireText(_ text: String, field: String, maximum: Int) throws(FieldError) {
    // Most texts start with a printable ASCII character, never white space.
    let first = text.utf8.first ?? 0
    guard (first > 0x20 && first < 0x7F) || text.contains(where: { !$0.isWhitespace }) else {
        throw FieldError(field, .missingField, "\(field) is empty")
    }
    // No more scalars than UTF-8 bytes: only a long text is counted.
    guard text.utf8.count > maximum else { return }
    let length = text.unicodeScalars.count
    guard length <= maximum else {
        throw FieldError(field, .invalidValue, "\(field) has \(length) characters, at most \(maximum) are allowed")
    }
}
