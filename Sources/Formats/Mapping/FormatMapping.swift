import Model

/// How one regional format writes one record type: read from `mappings/formats/<name>.yaml`,
/// checked when loaded. Everything that differs between agencies is here, nothing in Swift.
public struct FormatMapping: Sendable {
    public enum Syntax: String, Sendable { case json, xml }

    /// `vdab-vacancy`, … : the file's name without extension.
    public var name: String
    /// The format name a person gives (`vdab`, `adg`, …).
    public var format: String
    public var recordType: RecordType
    public var syntax: Syntax
    /// The document's character encoding (`UTF-8`, `ISO-8859-1`).
    public var encoding: String
    public var document: DocumentRule
    /// Native agency spelling → canonical agency, and back.
    public var agencies: CodeList
    /// Which agencies train, under which in-company schemes: the agency directory's the mapping
    /// was loaded with.
    public var traineeRules: TraineeRules = .profile
    /// Where each canonical field sits, in the order the file gives (the order written).
    public let fields: [(CanonicalField, FieldRule)]
    /// Rules by field ordinal, and each field's place in `fields` (-1 when absent).
    private let rules: [FieldRule?]
    let order: [Int]

    public init(name: String, format: String, recordType: RecordType, syntax: Syntax, encoding: String, document: DocumentRule,
                agencies: CodeList, fields: [(CanonicalField, FieldRule)]) {
        self.name = name
        self.format = format
        self.recordType = recordType
        self.syntax = syntax
        self.encoding = encoding
        self.document = document
        self.agencies = agencies
        self.fields = fields
        var rules = [FieldRule?](repeating: nil, count: CanonicalField.allCases.count)
        var order = [Int](repeating: -1, count: CanonicalField.allCases.count)
        for (place, (field, rule)) in fields.enumerated() {
            rules[field.ordinal] = rule
            order[field.ordinal] = place
        }
        self.rules = rules
        self.order = order
        personalItems = Set(fields.filter { $0.1.personal }.map { $0.0.item })
    }

    /// The profile items of the fields this mapping marks `personal: true` (their faults are redacted).
    public let personalItems: Set<String>

    /// The rule of a field, in constant time; nil when the format has no place for it.
    @inline(__always)
    public func rule(_ field: CanonicalField) -> FieldRule? { rules[field.ordinal] }
}

/// The document around the records.
public struct DocumentRule: Sendable {
    /// XML: the root element's name and namespace (the header's attributes sit on it).
    public var root: String?
    public var namespace: String?
    /// JSON: the member holding the records; XML: the name of each record element.
    public var records: String
    /// Where the header names the agency the records come from.
    public var sender: String
    /// Where the header gives the document's creation time, and in which pattern.
    public var created: String
    public var createdPattern: TimestampPattern
}

/// Native values ↔ canonical values, both ways.
public struct CodeList: Sendable, Equatable {
    public var toCanonical: [String: String]
    public var toNative: [String: String]
    /// Canonical values written with a loss, to a native value of another meaning (Actiris levels).
    public var lossyToNative: [String: String] = [:]
}

/// Where one canonical field sits and how its values are spelled. A reference, set up while its
/// file is loaded and never changed after: records look rules up millions of times, and a lookup
/// must not copy them.
public final class FieldRule: @unchecked Sendable {
    /// Path steps (`beroep.competentCode` → [beroep, competentCode]); nil for a constant.
    public var path: [String]? = nil
    /// The one value the format holds: implied when there is no path (`titleLanguage: nl` for
    /// VDAB), written at the path and required there when there is one.
    public var constant: String? = nil
    /// The value written when the record's own value comes from another scheme (`occupationVersion`).
    public var defaultValue: String? = nil
    public var optional: Bool = false
    public var codes: CodeList? = nil
    public var date: DatePattern? = nil
    public var decimal: DecimalStyle? = nil
    /// The fewest decimals a decimal written as a string has (`38,0`: 1, the default; `38`: 0).
    public var fractionDigits: Int? = nil
    public var boolean: (yes: String, no: String)? = nil
    /// Spelling written: enterprise numbers `digits`, `dotted`, `vat`; national numbers `digits`, `formatted`.
    public var spelling: String? = nil
    /// How an absent optional value is written: left out (nil), `null`, or an empty string.
    public var absent: AbsentStyle? = nil
    /// For `languages`: the item's language and level paths, and a level code list if not CEFR.
    public var itemLanguage: [String]? = nil
    public var itemLevel: [String]? = nil
    /// For a title or description given once per language (Actiris): where each one names its language.
    public var languageKey: [String]? = nil
    /// With `languageKey`: the languages the format holds titles in (Actiris: fr and nl); nil, any
    /// of the profile's.
    public var languagesHeld: [LanguageCode]? = nil
    /// The field holds a person's data (`personal: true`): its faults never repeat its value. The
    /// person's names, national number and birth date are personal whatever the mapping says.
    public var personal: Bool = false

    init() {}

    public var pathText: String { path?.joined(separator: ".") ?? "" }
}

public enum AbsentStyle: String, Sendable { case omit, null, empty }

public enum DecimalStyle: Sendable, Equatable {
    /// A JSON number with a decimal point.
    case number
    /// A string with this separator (`38,0`).
    case string(separator: Character)
}

/// Day patterns of the regional formats.
public enum DatePattern: String, Sendable, CaseIterable {
    case iso = "yyyy-MM-dd"
    case slashes = "dd/MM/yyyy"
    case dots = "dd.MM.yyyy"
    case compact = "yyyyMMdd"
}

/// Timestamp patterns of the regional headers, all in Brussels local time but the first.
public enum TimestampPattern: String, Sendable, CaseIterable {
    case rfc3339
    case slashes = "dd/MM/yyyy HH:mm"
    case dots = "dd.MM.yyyy HH:mm"
    case compact = "yyyyMMdd'T'HHmmss"
}
