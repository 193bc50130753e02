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
    /// (`INVALID_VALUE`), then the taxonomy (`UNKNOWN_OCCUPATION` for a code it does not hold,
    /// `OCCUPATION_MISMATCH` for a source or appellation of another fiche than the pivot).
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
        guard r.attempt({ () throws(FieldError) in try taxonomy.resolve(.rome, code: pivot) }) != nil else { return nil }
        // The source against the pivot first, then the appellation against both.
        let source = OccupationSource(scheme: sourceScheme, version: version, code: code)
        guard let occupation = r.attempt({ () throws(FieldError) in try taxonomy.occupation(source: source, sourceLabel: label) }) else { return nil }
        guard occupation.fiche.rawValue == pivot else {
            r.fail("occupation", .occupationMismatch, "the source code \(scheme) \(version) \(code) stands for fiche \(occupation.fiche), not \(pivot)")
            return nil
        }
        guard let appellation else { return occupation }
        return r.attempt { () throws(FieldError) in try taxonomy.occupation(source: source, appellation: appellation, sourceLabel: label) }
    }
}
