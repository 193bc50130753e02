import Model
import Taxonomy

/// The occupation items of a profile record, as both record types carry them: the pivot fiche,
/// an optional OGR appellation, and the source code as the origin gave it
/// (`exchange-records.md` §1, the occupation pivot; §2 `occupation`, `occupationAppellation`,
/// `occupationSource`; §3 `occupation`, `occupationSource`).
struct ProfileOccupation {
    var pivot: String
    var appellation: String?
    var scheme: String
    var version: String
    var code: String
    /// The source code's label as given (vacancies only).
    var label: String?

    /// `^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`: a source code as the origin gives it.
    static func isSourceCode(_ s: String) -> Bool {
        func alphanumeric(_ c: UInt8) -> Bool { (48...57).contains(c) || (65...90).contains(c) || (97...122).contains(c) }
        guard let first = s.utf8.first, alphanumeric(first), s.utf8.count <= 32 else { return false }
        return s.utf8.dropFirst().allSatisfy { alphanumeric($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// The record's occupation, or nil with every fault recorded in `r`: each code's form first
    /// (`INVALID_VALUE`), then the pivot (`UNKNOWN_OCCUPATION` for a fiche this taxonomy does not
    /// hold) and the appellation (`OCCUPATION_MISMATCH` for one of another fiche). The source code
    /// is carried as the origin gave it and never resolved again (clarification 6: two gateways may
    /// hold different Competent versions, exception tables or ROME 4.0 tables); where this
    /// gateway's own table would resolve it to another fiche, or does not know it, a note for staff
    /// is kept in `r` — never a rejection.
    func resolve(in taxonomy: Taxonomy, _ r: ProfileReader) -> Occupation? {
        var formed = true
        if FicheCode(rawValue: pivot) == nil {
            r.fail("occupation", .invalidValue, "'\(pivot.prefix(16))' is not a ROME v3 fiche code (a letter A to N and four digits)")
            formed = false
        }
        if let appellation, AppellationCode(rawValue: appellation) == nil {
            r.fail("occupationAppellation", .invalidValue, "'\(appellation.prefix(16))' is not an OGR appellation code (5 or 6 digits)")
            formed = false
        }
        let sourceScheme = OccupationScheme(rawValue: scheme)
        if sourceScheme == nil {
            r.fail("occupationSource", .invalidValue, "source scheme '\(scheme.prefix(16))' is not COMPETENT or ROME")
            formed = false
        }
        if version.unicodeScalars.count > 16 {
            r.fail("occupationSource", .invalidValue, "the source version has \(version.unicodeScalars.count) characters, at most 16 are allowed")
            formed = false
        }
        if !Self.isSourceCode(code) {
            r.fail("occupationSource", .invalidValue, "'\(code.prefix(40))' is not a source code (letters, digits, '.', '_', '-'; at most 32)")
            formed = false
        }
        if let label, label.unicodeScalars.count > 200 {
            r.fail("occupation", .invalidValue, "the occupation label has \(label.unicodeScalars.count) characters, at most 200 are allowed")
            formed = false
        }
        guard formed, let sourceScheme else { return nil }
        guard let fiche = r.attempt({ () throws(FieldError) in try taxonomy.resolve(.rome, code: pivot) }) else { return nil }
        let source = OccupationSource(scheme: sourceScheme, version: version, code: code)
        var occupation = Occupation(fiche: fiche, source: source, sourceLabel: label)
        if let appellation {
            guard let owner = r.attempt({ () throws(FieldError) in try taxonomy.resolve(.ogr, code: appellation, field: "occupationAppellation") }) else { return nil }
            guard owner == fiche else {
                r.fail("occupationAppellation", .occupationMismatch, "appellation \(appellation) belongs to fiche \(owner), not to \(fiche)")
                return nil
            }
            occupation.appellation = AppellationCode(rawValue: appellation)
        }
        if let note = Self.ownReading(of: source, pivot: fiche, in: taxonomy) { r.note("occupationSource", .occupationMismatch, note) }
        return occupation
    }

    /// What this gateway's own table makes of a source code, when it is not the pivot the origin
    /// sent: a sentence for staff (nil when the table agrees). Never a rejection (clarification 6).
    static func ownReading(of source: OccupationSource, pivot: FicheCode, in taxonomy: Taxonomy) -> String? {
        do {
            let own = try taxonomy.occupation(source: source).fiche
            guard own != pivot else { return nil }
            return "this gateway's table resolves \(source.scheme.rawValue) \(source.version) \(source.code) to fiche \(own); the origin sent \(pivot), which is kept"
        } catch {
            return "this gateway's table cannot resolve \(source.scheme.rawValue) \(source.version) \(source.code) (\(error.message)); the origin sent \(pivot), which is kept"
        }
    }
}
