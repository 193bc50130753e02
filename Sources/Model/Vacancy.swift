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
        for t in [text] + translations where !LocalizedText.profileLanguages.contains(t.language) {
            found.append(FieldError("title", .invalidValue, "a title in '\(t.language)': the exchange carries titles in nl, fr and de"))
        }
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
        if let label = occupation.sourceLabel { check { () throws(FieldError) in try requireText(label, field: "occupation", maximum: 200) } }
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

/// A required free-text value (`exchange-records.md` §1): not empty or blank, no leading or
/// trailing white space, no character that XML 1.0 cannot hold, at most `maximum` characters
/// (Unicode scalars, as the profile's validator counts them). Messages never quote the text (it may
/// be a person's name).
public func requireText(_ text: String, field: String, maximum: Int) throws(FieldError) {
    let utf8 = text.utf8
    // Most texts start and end with a printable ASCII character, never white space.
    guard let first = utf8.first, let last = utf8.last else { throw FieldError(field, .missingField, "\(field) is empty") }
    if !(first > 0x20 && first < 0x7F) || !(last > 0x20 && last < 0x7F) {
        guard text.contains(where: { !$0.isWhitespace }) else { throw FieldError(field, .missingField, "\(field) is empty") }
        if isProfileWhitespace(text.unicodeScalars.first!) || isProfileWhitespace(text.unicodeScalars.last!) {
            throw FieldError(field, .invalidValue, "\(field) starts or ends with white space")
        }
    }
    if let scalar = firstNonXMLCharacter(text) {
        throw FieldError(field, .invalidValue, "\(field) holds a character that XML 1.0 cannot hold (\(scalar)); every record must be writable in both forms")
    }
    // No more scalars than UTF-8 bytes: only a long text is counted.
    guard utf8.count > maximum else { return }
    let length = text.unicodeScalars.count
    guard length <= maximum else {
        throw FieldError(field, .invalidValue, "\(field) has \(length) characters, at most \(maximum) are allowed")
    }
}

/// White space as the profile means it at a string's edges (`Character.isWhitespace` on one scalar),
/// without the property lookup for the ASCII letters that nearly every value starts and ends with.
public func isProfileWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    scalar.isASCII ? scalar == " " || (0x09...0x0D).contains(scalar.value) : scalar.properties.isWhitespace
}

/// The text without white space at either end (regional formats may pad their values; the profile
/// carries none).
public func trimmedProfileText(_ text: String) -> String {
    let scalars = text.unicodeScalars
    guard let first = scalars.first, let last = scalars.last, isProfileWhitespace(first) || isProfileWhitespace(last) else { return text }
    guard let start = scalars.firstIndex(where: { !isProfileWhitespace($0) }) else { return "" }
    let end = scalars.lastIndex(where: { !isProfileWhitespace($0) })!
    return String(scalars[start...end])
}

/// The first character of `text` that XML 1.0 cannot hold, as `U+XXXX` (nil: none): the controls
/// U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, and U+FFFE, U+FFFF (the JSON reader reads a lone
/// surrogate escape as U+FFFF, so that it is refused here as well). Scans bytes: a text without a
/// control byte or the lead byte 0xEF is passed over at once.
public func firstNonXMLCharacter(_ text: String) -> String? {
    // Nearly every text has neither: one pass over its bytes, nothing else.
    let suspect = text.utf8.withContiguousStorageIfAvailable { bytes in
        for b in bytes where b < 0x20 || b == 0xEF { return true }
        return false
    }
    guard suspect ?? true else { return nil }
    let bytes = Array(text.utf8)
    for (i, b) in bytes.enumerated() {
        if b < 0x20, b != 0x09, b != 0x0A, b != 0x0D { return "U+" + hex4(UInt32(b)) }
        if b == 0xEF, i + 2 < bytes.count, bytes[i + 1] == 0xBF, bytes[i + 2] == 0xBE || bytes[i + 2] == 0xBF {
            return bytes[i + 2] == 0xBE ? "U+FFFE" : "U+FFFF or a lone surrogate"
        }
    }
    return nil
}

private func hex4(_ v: UInt32) -> String {
    let h = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - h.count)) + h
}
