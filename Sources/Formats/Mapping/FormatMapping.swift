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
    /// Where each canonical field sits, in the order the file gives (the order written).
    public var fields: [(CanonicalField, FieldRule)]

    public func rule(_ field: CanonicalField) -> FieldRule? { fields.first { $0.0 == field }?.1 }
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

/// Where one canonical field sits and how its values are spelled.
public struct FieldRule: Sendable {
    /// Path steps (`beroep.competentCode` → [beroep, competentCode]); nil for a constant.
    public var path: [String]?
    /// The one value the format holds: implied when there is no path (`titleLanguage: nl` for
    /// VDAB), written at the path and required there when there is one.
    public var constant: String?
    /// The value written when the record's own value comes from another scheme (`occupationVersion`).
    public var defaultValue: String?
    public var optional: Bool
    public var codes: CodeList?
    public var date: DatePattern?
    public var decimal: DecimalStyle?
    public var boolean: (yes: String, no: String)?
    /// Spelling written: enterprise numbers `digits`, `dotted`, `vat`; national numbers `digits`, `formatted`.
    public var spelling: String?
    /// How an absent optional value is written: left out (nil), `null`, or an empty string.
    public var absent: AbsentStyle?
    /// For `languages`: the item's language and level paths, and a level code list if not CEFR.
    public var itemLanguage: [String]?
    public var itemLevel: [String]?
    /// For a title or description given once per language (Actiris): where each one names its language.
    public var languageKey: [String]?

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
