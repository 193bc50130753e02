import Model

/// Reads canonical values out of one record through a mapping, collecting every field's fault
/// instead of stopping at the first.
final class FieldReader {
    let source: any RecordSource
    let mapping: FormatMapping
    private(set) var errors: [FieldError] = []
    /// What the profile cannot carry of what was read (a title in a language other than nl, fr, de).
    private(set) var losses: [String] = []

    init(source: any RecordSource, mapping: FormatMapping) {
        self.source = source
        self.mapping = mapping
    }

    /// Keeps a field's fault; one of a field the mapping marks `personal: true` without its value.
    func record(_ error: FieldError) { errors.append(mapping.personalItems.contains(error.field) ? error.redacted : error) }

    /// Runs a conversion that may fail, keeping its fault.
    func attempt<T>(_ body: () throws(FieldError) -> T) -> T? {
        do { return try body() } catch { record(error); return nil }
    }

    /// The field's text as the document gives it; nil when absent (a fault if required) or not text.
    func text(_ field: CanonicalField, required: Bool = true) -> String? {
        guard let rule = mapping.rule(field) else {
            if required { record(FieldError(field.item, .missingField, "the \(mapping.format) format has no \(field.rawValue)")) }
            return nil
        }
        guard let path = rule.path else { return rule.constant }
        // Regional values may be padded; the profile carries none at a string's edges.
        var raw = source.raw(at: path)
        if case .text(let s) = raw { raw = .text(trimmedProfileText(s)) }
        switch raw {
        case .text(let s) where !s.isEmpty && rule.constant != nil && s != rule.constant:
            record(FieldError(field.item, .invalidValue, "\(rule.pathText) is '\(s.prefix(32))'; this format holds \(rule.constant!) only"))
            return nil
        case .text(let s) where !s.isEmpty: return s
        case .number(let n): return n
        case .absent, .null, .text:
            if required && !rule.optional { record(FieldError(field.item, .missingField, "\(rule.pathText) is missing")) }
            return nil
        case .bool(let b): return b ? "true" : "false"
        case .items: record(FieldError(field.item, .invalidValue, "\(rule.pathText) is a list, a single value was expected"))
        case .other(let kind): record(FieldError(field.item, .invalidValue, "\(rule.pathText) is \(kind), a single value was expected"))
        }
        return nil
    }

    /// The field's text where the format has a place for it (required there unless the mapping
    /// says `optional`); nil where the format has none.
    func heldText(_ field: CanonicalField) -> String? { mapping.rule(field) == nil ? nil : text(field) }

    func integer(_ field: CanonicalField) -> Int? {
        guard let rule = mapping.rule(field) else { _ = text(field); return nil }
        if case .text(let s) = source.raw(at: rule.path ?? []), mapping.syntax == .json, !s.isEmpty {
            record(FieldError(field.item, .invalidValue, "\(rule.pathText) should be a number, found a string"))
            return nil
        }
        guard let t = text(field) else { return nil }
        guard let n = Int(t), n >= 0, t.utf8.count <= 9 else {
            record(FieldError(field.item, .invalidValue, "\(rule.pathText) should be a whole number, found '\(t.prefix(20))'"))
            return nil
        }
        return n
    }

    func decimal(_ field: CanonicalField) -> HoursPerWeek? {
        guard let rule = mapping.rule(field), let raw = rule.path.map(source.raw(at:)) else { return nil }
        switch (rule.decimal ?? .number, raw) {
        case (.number, .text(let s)) where !s.isEmpty:
            record(FieldError(field.item, .invalidValue, "\(rule.pathText) should be a number, found a string"))
            return nil
        case (.string, .number):
            record(FieldError(field.item, .invalidValue, "\(rule.pathText) should be a string like \"38,0\", found a number"))
            return nil
        default:
            break
        }
        guard let t = text(field) else { return nil }
        var separator: Character = "."
        if case .string(let s) = rule.decimal ?? .number { separator = s }
        return attempt { () throws(FieldError) in try HoursPerWeek(decimal: t, separator: separator, field: field.item) }
    }

    func boolean(_ field: CanonicalField) -> Bool? {
        guard let rule = mapping.rule(field), let path = rule.path else { return nil }
        let raw = source.raw(at: path)
        if let (yes, no) = rule.boolean {
            guard let t = text(field) else { return nil }
            if t == yes { return true }
            if t == no { return false }
            record(FieldError(field.item, .invalidValue, "\(rule.pathText) is '\(yes)' or '\(no)', found '\(t.prefix(20))'"))
            return nil
        }
        if case .bool(let b) = raw { return b }
        if case .absent = raw { record(FieldError(field.item, .missingField, "\(rule.pathText) is missing")); return nil }
        record(FieldError(field.item, .invalidValue, "\(rule.pathText) should be true or false"))
        return nil
    }

    func date(_ field: CanonicalField, required: Bool = true) -> CalendarDate? {
        guard let t = text(field, required: required) else { return nil }
        let pattern = mapping.rule(field)?.date ?? .iso
        return attempt { () throws(FieldError) in try pattern.read(t, field: field.item) }
    }

    /// A code-list value: the canonical spelling of the native value.
    func code(_ field: CanonicalField) -> String? {
        guard let rule = mapping.rule(field), let t = text(field) else { return nil }
        if rule.constant != nil { return t }
        guard let canonical = rule.codes?.toCanonical[t] else {
            let allowed = (rule.codes?.toCanonical.keys.sorted() ?? []).joined(separator: ", ")
            record(FieldError(field.item, .invalidValue, "'\(t.prefix(32))' in \(rule.pathText) is not one of \(allowed)"))
            return nil
        }
        return canonical
    }

    func canonical<T: RawRepresentable & CaseIterable>(_ field: CanonicalField, as: T.Type) -> T? where T.RawValue == String {
        code(field).flatMap(T.init(rawValue:))
    }

    func agency(_ field: CanonicalField, required: Bool = true) -> Agency? {
        guard let t = text(field, required: required) else { return nil }
        guard let value = mapping.agencies.toCanonical[t], let agency = Agency(rawValue: value) else {
            let allowed = mapping.agencies.toCanonical.keys.sorted().joined(separator: ", ")
            record(FieldError(field.item, .invalidValue, "'\(t.prefix(32))' is not an agency of this format (\(allowed))"))
            return nil
        }
        return agency
    }

    /// Title and description given once per language (`languageKey`): the first title is the main
    /// text, the others its translations; a description needs a title in its language.
    func localizedTexts() -> [LocalizedText] {
        guard let titleRule = mapping.rule(.title), let titlePath = titleRule.path, let key = titleRule.languageKey else { return [] }
        var texts: [LocalizedText] = []
        var others: [LanguageCode] = []
        for item in source.items(at: titlePath) ?? [] {
            guard case .text(let code) = item.raw(at: key),
                  let language = attempt({ () throws(FieldError) in try LanguageCode(trimmedProfileText(code), field: "title") }) else {
                record(FieldError("title", .missingField, "a \(titleRule.pathText) lacks its language"))
                continue
            }
            guard case .text(let raw) = item.raw(at: []), case let title = trimmedProfileText(raw), !title.isEmpty else {
                record(FieldError("title", .missingField, "the \(language) \(titleRule.pathText) is empty"))
                continue
            }
            if LocalizedText.profileLanguages.contains(language) { texts.append(LocalizedText(language: language, title: title)) } else { others.append(language) }
        }
        if !others.isEmpty {
            // The profile carries titles in nl, fr and de: another language goes only beside one of them.
            if texts.isEmpty && errors.isEmpty {
                record(FieldError("title", .invalidValue, "the title is given in \(others.map(\.rawValue).joined(separator: ", ")) only; the exchange carries titles in nl, fr or de"))
            } else {
                for language in others { losses.append("title in \(language) not carried: the exchange carries titles in nl, fr and de") }
            }
        }
        if texts.isEmpty && errors.isEmpty { record(FieldError("title", .missingField, "\(titleRule.pathText) is missing")) }
        if let descriptionRule = mapping.rule(.description), let path = descriptionRule.path, let key = descriptionRule.languageKey {
            for item in source.items(at: path) ?? [] {
                guard case .text(let rawCode) = item.raw(at: key), case .text(let raw) = item.raw(at: []), case let code = trimmedProfileText(rawCode).lowercased() else {
                    record(FieldError("description", .invalidValue, "a \(descriptionRule.pathText) has no title in its language"))
                    continue
                }
                guard let i = texts.firstIndex(where: { $0.language.rawValue == code }) else {
                    if others.contains(where: { $0.rawValue == code }) {
                        losses.append("description in \(code) not carried: the exchange carries descriptions in nl, fr and de")
                    } else {
                        record(FieldError("description", .invalidValue, "a \(descriptionRule.pathText) has no title in its language"))
                    }
                    continue
                }
                let text = trimmedProfileText(raw)
                if !text.isEmpty { texts[i].description = text }
            }
        }
        return texts
    }

    func languages() -> [LanguageRequirement] {
        guard let rule = mapping.rule(.languages), let path = rule.path else { return [] }
        switch source.items(at: path) {
        case let items?:
            var result: [LanguageRequirement] = []
            for item in items {
                guard case .text(let rawCode) = item.raw(at: rule.itemLanguage!), case .text(let rawLevel) = item.raw(at: rule.itemLevel!),
                      case let (code, level) = (trimmedProfileText(rawCode), trimmedProfileText(rawLevel)) else {
                    record(FieldError("languages", .missingField, "a language in \(rule.pathText) lacks its code or level"))
                    continue
                }
                let cefr: CEFRLevel?
                if let levels = rule.codes {
                    cefr = levels.toCanonical[level].flatMap(CEFRLevel.init(rawValue:))
                    if cefr == nil {
                        record(FieldError("languages", .invalidValue, "language level '\(level.prefix(8))' is not one of \(levels.toCanonical.keys.sorted().joined(separator: ", "))"))
                    }
                } else {
                    cefr = attempt { () throws(FieldError) in try CEFRLevel(level) }
                }
                if let language = attempt({ () throws(FieldError) in try LanguageCode(code) }), let cefr {
                    result.append(LanguageRequirement(language: language, level: cefr))
                }
            }
            return result
        case nil:
            record(FieldError("languages", .invalidValue, "\(rule.pathText) should be a list"))
            return []
        }
    }
}
