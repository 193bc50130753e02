import Model
import Taxonomy

/// A record written for a format: its values by path, and what the format could not hold.
public struct Encoded: Sendable {
    public var pairs: [([String], WrittenValue)]
    /// Precision losses, each a sentence: what was not carried, or carried approximately.
    public var losses: [String]
    /// Values the format cannot hold at all: the record is rejected for this target.
    public var errors: [FieldError]
}

/// Writes canonical records through a format mapping.
public struct RecordEncoder: Sendable {
    public let mapping: FormatMapping
    public let taxonomy: Taxonomy

    public init(mapping: FormatMapping, taxonomy: Taxonomy) {
        self.mapping = mapping
        self.taxonomy = taxonomy
    }

    public func encode(_ record: CanonicalRecord) -> Encoded {
        var out = Output(mapping: mapping, dry: false)
        switch record {
        case .vacancy(let v): vacancy(v, &out)
        case .trainee(let t): trainee(t, &out)
        }
        // Written in the mapping's order, whatever order the values were computed in.
        var slots = [([String], WrittenValue)?](repeating: nil, count: mapping.fields.count)
        for (field, value) in out.values { slots[mapping.order[field.ordinal]] = (mapping.fields[mapping.order[field.ordinal]].1.path!, value) }
        let pairs = slots.compactMap { $0 }
        if mapping.encoding == "ISO-8859-1" {
            var seen: Set<Unicode.Scalar> = []
            func scan(_ value: WrittenValue) {
                switch value {
                case .text(let t): for s in t.unicodeScalars where s.value > 0xFF && seen.insert(s).inserted {
                    out.lose("character \(s) (U+\(String(s.value, radix: 16, uppercase: true))) written as a character reference: ISO-8859-1 cannot hold it")
                }
                case .items(let items): for item in items { for (_, v) in item { scan(v) } }
                default: break
                }
            }
            for (_, value) in pairs { scan(value) }
        }
        return Encoded(pairs: pairs, losses: out.losses, errors: out.errors)
    }

    /// Why the format cannot hold the record, and nothing else: the same rules as `encode`, without
    /// making the values or the losses' sentences (a receiving gateway asks this before the
    /// receipt of every record, and writes the record after it).
    public func faults(_ record: CanonicalRecord) -> [FieldError] {
        var out = Output(mapping: mapping, dry: true)
        switch record {
        case .vacancy(let v): vacancy(v, &out)
        case .trainee(let t): trainee(t, &out)
        }
        return out.errors
    }

    /// Collects values, losses and faults while one record is written; `dry`, faults only.
    struct Output {
        let mapping: FormatMapping
        let dry: Bool
        var values: [(CanonicalField, WrittenValue)] = []
        var losses: [String] = []
        var errors: [FieldError] = []

        init(mapping: FormatMapping, dry: Bool) {
            self.mapping = mapping
            self.dry = dry
        }

        /// A loss, its sentence made only when it is kept.
        mutating func lose(_ sentence: @autoclosure () -> String) {
            if !dry { losses.append(sentence()) }
        }

        /// Writes a value where the format has a place for it; a value the format has no place for is a loss.
        mutating func put(_ field: CanonicalField, _ value: @autoclosure () -> WrittenValue?, lost: @autoclosure () -> String) {
            guard !dry else { return }
            let value = value()
            guard let rule = mapping.rule(field) else {
                if value != nil { losses.append(lost()) }
                return
            }
            guard rule.path != nil else { return }
            if let value {
                values.append((field, value))
            } else {
                switch rule.absent ?? .omit {
                case .omit: break
                case .null: values.append((field, .null))
                case .empty: values.append((field, .text("")))
                }
            }
        }

        mutating func text(_ field: CanonicalField, _ text: String?, what: String) {
            let format = mapping.format   // the message is made only for a loss
            put(field, text.map(WrittenValue.text), lost: "\(what) '\(text?.prefix(40) ?? "")' not carried: the \(format) format has no place for it")
        }

        /// A code-list value in the format's spelling; a value outside its list is a fault, or a
        /// listed loss where the mapping says what to write instead.
        mutating func code(_ field: CanonicalField, _ canonical: String) {
            guard let rule = mapping.rule(field), let codes = rule.codes else { return }
            if let native = codes.toNative[canonical] {
                put(field, .text(native), lost: "")
            } else if let native = codes.lossyToNative[canonical], let meaning = codes.toCanonical[native] {
                let format = mapping.format   // the sentence is made only for a loss kept
                lose("\(field.item) \(canonical) written as \(meaning) ('\(native)'): the \(format) format has no \(canonical)")
                put(field, .text(native), lost: "")
            } else {
                errors.append(FieldError(field.item, .invalidValue, "the \(mapping.format) format cannot hold \(field.item) \(canonical)"))
            }
        }

        mutating func agency(_ field: CanonicalField, _ agency: Agency) {
            guard let native = mapping.agencies.toNative[agency.rawValue] else {
                errors.append(FieldError(field.item, .invalidValue, "the \(mapping.format) format has no spelling for agency \(agency)"))
                return
            }
            put(field, .text(native), lost: "")
        }

        mutating func date(_ field: CanonicalField, _ date: CalendarDate?, what: String) {
            let pattern = mapping.rule(field)?.date ?? .iso
            let format = mapping.format   // the message is made only for a loss
            put(field, date.map { .text(pattern.write($0)) }, lost: "\(what) \(date.map(\.description) ?? "") not carried: the \(format) format has no place for it")
        }

        mutating func enterpriseNumber(_ number: EnterpriseNumber?) {
            let spelling = mapping.rule(.enterpriseNumber)?.spelling ?? "digits"
            let text = number.map { spelling == "dotted" ? $0.dotted : spelling == "vat" ? $0.vat : $0.digits }
            put(.enterpriseNumber, text.map(WrittenValue.text), lost: "the employer's enterprise number not carried")
        }
    }

    func occupation(_ occupation: Occupation, _ out: inout Output) {
        guard let schemeRule = mapping.rule(.occupationScheme) else { return }
        let target = schemeRule.constant
        let source = occupation.source
        let versionRule = mapping.rule(.occupationVersion)
        let versionDefault = versionRule?.defaultValue ?? versionRule?.constant
        let sameScheme = target == nil || (target == source.scheme.rawValue
            && (source.scheme == .competent || versionDefault == nil || source.version.prefix(1) == versionDefault!.prefix(1)))
        var scheme = source.scheme.rawValue, version = source.version, code = source.code
        if !sameScheme {
            scheme = target!
            version = versionDefault ?? ""
            switch (OccupationScheme(rawValue: scheme), version.hasPrefix("4")) {
            case (.competent?, _): code = taxonomy.competentCode(for: occupation.fiche, version: version) ?? ""
            case (.rome?, true): code = taxonomy.rome4Code(for: occupation.fiche) ?? ""
            default: code = occupation.fiche.rawValue
            }
            if code.isEmpty {
                out.errors.append(FieldError("occupation", .unknownOccupation,
                                             "fiche \(occupation.fiche) has no \(scheme) \(version) code in the taxonomy in force"))
                return
            }
            if code != source.code || scheme != source.scheme.rawValue {
                out.lose("occupation \(source.scheme.rawValue) \(source.version) \(source.code) written as \(scheme) \(version) \(code) (pivot \(occupation.fiche))")
            }
        }
        out.put(.occupationScheme, .text(scheme), lost: "")
        out.put(.occupationVersion, .text(version), lost: "")
        out.put(.occupationCode, .text(code), lost: "")
        out.text(.occupationAppellation, occupation.appellation?.rawValue, what: "appellation")
        if occupation.sourceLabel == nil, let rule = mapping.rule(.occupationLabel), rule.path != nil, !rule.optional {
            // The format requires a label the origin did not give: the fiche's, in the format's language.
            let language = mapping.rule(.titleLanguage)?.constant.flatMap(LanguageCode.init(rawValue:)) ?? .french
            if let label = taxonomy.fiche(occupation.fiche)?.labels[language] {
                out.lose("occupation label not given by the origin: written as fiche \(occupation.fiche)'s \(language) label '\(label.prefix(60))'")
                out.put(.occupationLabel, .text(label), lost: "")
            }
        } else {
            out.text(.occupationLabel, occupation.sourceLabel, what: "occupation label")
        }
    }

    func vacancy(_ v: Vacancy, _ out: inout Output) {
        out.put(.recordId, .text(v.id.rawValue), lost: "")
        out.put(.version, .number(String(v.version.rawValue)), lost: "")
        out.code(.status, v.status.rawValue)
        var texts = [v.text] + v.translations
        if let key = mapping.rule(.title)?.languageKey {
            if let held = mapping.rule(.title)?.languagesHeld {
                // Titles in a language the format does not hold are not written under that
                // language's code: left out with a loss, or, when none is held, the main one
                // written as the format's first language, said as a loss (the record is taken).
                let kept = texts.filter { held.contains($0.language) }
                let heldNames = held.map(\.rawValue).joined(separator: " and ")
                for other in texts where !held.contains(other.language) && !kept.isEmpty {
                    out.lose("title\(other.description == nil ? "" : " and description") in \(other.language) not carried: the \(mapping.format) format holds \(heldNames)")
                }
                if kept.isEmpty {
                    out.lose("title in \(v.text.language) written as \(held[0]): the \(mapping.format) format holds \(heldNames) only")
                    for other in v.translations { out.lose("title in \(other.language) not carried: the \(mapping.format) format holds \(heldNames)") }
                    texts = [LocalizedText(language: held[0], title: v.text.title, description: v.text.description)]
                } else {
                    texts = kept
                }
            }
            out.put(.title, .items(texts.map { [(key, .text($0.language.rawValue)), ([], .text($0.title))] }), lost: "")
            let described = texts.filter { $0.description != nil }
            if let descriptionKey = mapping.rule(.description)?.languageKey {
                out.put(.description, described.isEmpty ? nil : .items(described.map { [(descriptionKey, .text($0.language.rawValue)), ([], .text($0.description!))] }), lost: "")
            } else if !described.isEmpty {
                out.lose("descriptions not carried: the \(mapping.format) format has no place for them")
            }
            return finishVacancy(v, &out)
        }
        let wanted = mapping.rule(.titleLanguage)?.constant.flatMap(LanguageCode.init(rawValue:))
        let chosen = texts.first { $0.language == wanted } ?? v.text
        if let wanted, chosen.language != wanted {
            out.lose("title in \(chosen.language) written where the \(mapping.format) format expects \(wanted)")
        }
        for other in texts where other != chosen {
            out.lose("title\(other.description == nil ? "" : " and description") in \(other.language) not carried: the \(mapping.format) format holds one language")
        }
        out.put(.title, .text(chosen.title), lost: "")
        out.put(.titleLanguage, .text(chosen.language.rawValue), lost: "")
        out.text(.description, chosen.description, what: "description")
        finishVacancy(v, &out)
    }

    func finishVacancy(_ v: Vacancy, _ out: inout Output) {
        occupation(v.occupation, &out)
        if let rule = mapping.rule(.bottleneck) {
            out.put(.bottleneck, rule.boolean.map { .text(v.bottleneck ? $0.yes : $0.no) } ?? .bool(v.bottleneck), lost: "")
        }
        out.put(.openPositions, .number(String(v.openPositions)), lost: "")
        out.code(.contractType, v.contract.rawValue)
        out.code(.schedule, v.schedule.rawValue)
        if let rule = mapping.rule(.hoursPerWeek), case .string(let separator)? = rule.decimal {
            out.put(.hoursPerWeek, .text(v.hoursPerWeek.formatted(separator: String(separator), minimumFractionDigits: rule.fractionDigits ?? 1)), lost: "")
        } else {
            out.put(.hoursPerWeek, .number(v.hoursPerWeek.formatted()), lost: "")
        }
        out.put(.employerName, .text(v.employer.name), lost: "")
        out.enterpriseNumber(v.employer.enterpriseNumber)
        out.put(.postcode, .text(v.workplace.postcode.description), lost: "")
        out.put(.municipality, .text(v.workplace.municipality), lost: "")
        languages(v.languages, &out)
        out.date(.publicationDate, v.publicationDate, what: "publication date")
        out.date(.closingDate, v.closingDate, what: "closing date")
    }

    func languages(_ languages: [LanguageRequirement], _ out: inout Output) {
        guard let rule = mapping.rule(.languages) else {
            if !languages.isEmpty { out.lose("languages \(languages.map { "\($0.language) \($0.level.rawValue)" }.joined(separator: ", ")) not carried") }
            return
        }
        guard !languages.isEmpty else { out.put(.languages, nil, lost: ""); return }
        var items: [[([String], WrittenValue)]] = []
        for l in languages {
            var level = l.level.rawValue
            if let levels = rule.codes {
                if let native = levels.toNative[level] {
                    level = native
                } else if let native = levels.lossyToNative[level], let meaning = levels.toCanonical[native] {
                    out.lose("language \(l.language) level \(l.level.rawValue) written as \(meaning) ('\(native)'): the \(mapping.format) format has no \(l.level.rawValue)")
                    level = native
                } else {
                    out.errors.append(FieldError("languages", .invalidValue, "the \(mapping.format) format cannot hold level \(l.level.rawValue)"))
                    continue
                }
            }
            items.append([(rule.itemLanguage!, .text(l.language.rawValue)), (rule.itemLevel!, .text(level))])
        }
        out.put(.languages, .items(items), lost: "")
    }

    /// A format names only its own agency's in-company scheme: another agency's is written under
    /// that name, and the loss listed (the reader restores the training agency's own name).
    func scheme(_ scheme: TraineeScheme, _ out: inout Output) {
        guard let native = scheme.nativeName else { out.code(.scheme, scheme.type.rawValue); return }
        let canonical = "IN_COMPANY:\(native)"
        if let codes = mapping.rule(.scheme)?.codes, codes.toNative[canonical] == nil,
           let ownCode = codes.toNative.keys.filter({ $0.hasPrefix("IN_COMPANY:") }).sorted().first {
            out.lose("scheme \(native) written as \(codes.toNative[ownCode]!): the \(mapping.format) format names its in-company scheme so")
            out.code(.scheme, ownCode)
        } else {
            out.code(.scheme, canonical)
        }
    }

    func trainee(_ t: TraineeRecord, _ out: inout Output) {
        out.put(.recordId, .text(t.id.rawValue), lost: "")
        out.put(.version, .number(String(t.version.rawValue)), lost: "")
        let spelling = mapping.rule(.nationalNumber)?.spelling ?? "digits"
        out.put(.nationalNumber, .text(spelling == "formatted" ? t.person.nationalNumber.formatted : t.person.nationalNumber.digits), lost: "")
        out.put(.lastName, .text(t.person.lastName), lost: "")
        out.put(.firstName, .text(t.person.firstName), lost: "")
        out.date(.birthDate, t.person.birthDate, what: "birth date")
        out.code(.gender, t.person.gender.rawValue)
        out.agency(.referringAgency, t.referringAgency)
        out.agency(.trainingAgency, t.trainingAgency)
        scheme(t.scheme, &out)
        occupation(t.occupation, &out)
        out.text(.employerName, t.employer?.name, what: "employer")
        out.enterpriseNumber(t.employer?.enterpriseNumber)
        out.date(.periodStart, t.period.start, what: "start")
        out.date(.periodPlannedEnd, t.period.plannedEnd, what: "planned end")
        out.date(.periodActualEnd, t.period.actualEnd, what: "actual end")
        out.code(.status, t.status.rawValue)
        out.text(.linkedVacancyId, t.linkedVacancy?.vacancyId.rawValue, what: "linked vacancy")
        if let link = t.linkedVacancy {
            if mapping.rule(.linkedVacancyAgency) != nil {
                out.agency(.linkedVacancyAgency, link.originAgency)
            } else if mapping.rule(.linkedVacancyId) != nil, link.originAgency != t.trainingAgency {
                out.lose("the linked vacancy's agency \(link.originAgency) not carried: the \(mapping.format) format implies \(t.trainingAgency)")
            }
        }
    }
}
