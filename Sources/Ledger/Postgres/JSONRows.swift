import Foundation

/// Many rows handed to PostgreSQL as one JSON parameter and read back with `json_to_recordset`:
/// one statement writes a whole batch's rows, NULLs included, in one round trip.
struct JSONRows {
    private(set) var json = "["
    private var fieldsInRow = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Starts a row; its fields follow.
    mutating func row() {
        if count > 0 { json += "}," }
        json += "{"
        count += 1
        fieldsInRow = 0
    }

    mutating func text(_ key: String, _ value: String?) {
        separate(key)
        guard let value else { json += "null"; return }
        // Most values need no escape and go in whole; the others as the exchange JSON is escaped
        // (PostgreSQL's text holds no NUL character: it is written as U+FFFD).
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            json += "\"" + value + "\""
        } else {
            json += Self.escaped(value.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}"))
        }
    }

    /// A JSON string of `value`, escaped by Foundation's encoder (rare: most values need no escape).
    static func escaped(_ value: String) -> String {
        (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    mutating func int(_ key: String, _ value: Int?) {
        separate(key)
        json += value.map(String.init) ?? "null"
    }

    private mutating func separate(_ key: String) {
        if fieldsInRow > 0 { json += "," }
        fieldsInRow += 1
        json += "\"" + key + "\":"
    }

    /// The document: `[{…},{…}]`.
    var document: String { count == 0 ? "[]" : json + "}]" }
}

extension RecordFacts {
    /// The facts as fields of a JSON row, named as their columns.
    func write(to rows: inout JSONRows) {
        rows.text("fiche", fiche); rows.text("domain", domain); rows.text("status", status); rows.text("region", region)
        rows.text("contract", contract); rows.int("bottleneck", bottleneck.map { $0 ? 1 : 0 }); rows.text("scheme", scheme)
        rows.text("scheme_native", schemeNative); rows.text("referring_agency", referringAgency); rows.text("gender", gender)
        rows.text("age_band", ageBand); rows.text("person_key", personKey)
    }

    /// The facts' columns with their types, for `json_to_recordset(…) AS x(…)`.
    static var recordsetColumns: String { columns.map { "\($0) \($0 == "bottleneck" ? "bigint" : "text")" }.joined(separator: ", ") }
}
