import Model

/// The code systems a code can be resolved from, as `gateway taxonomy resolve --scheme` names them.
public enum CodeScheme: String, Sendable, CaseIterable {
    /// A ROME v3 fiche: resolves to itself.
    case rome = "ROME"
    /// A ROME 4.0 `code_rome`: resolves to its `code_rome_parent`.
    case rome4 = "ROME4"
    /// A Competent fiche code of a given version: the identity, but for the listed exceptions.
    case competent = "COMPETENT"
    /// An OGR appellation (ROME v3 or 4.0): resolves to the fiche it belongs to.
    case ogr = "OGR"
}

extension Taxonomy {
    /// The ROME v3 fiche (the pivot) that a code of a scheme stands for.
    ///
    /// Errors are record-level: `UNKNOWN_OCCUPATION` for a code or version the taxonomy does not
    /// know, `MISSING_FIELD` for a Competent code without its version.
    public func resolve(_ scheme: CodeScheme, version: String? = nil, code: String, field: String = "occupation") throws(FieldError) -> FicheCode {
        guard !code.isEmpty else { throw FieldError(field, .missingField, "the occupation code is missing") }
        switch scheme {
        case .rome:
            guard let fiche = FicheCode(rawValue: code), self.fiche(fiche) != nil else {
                throw FieldError(field, .unknownOccupation, "ROME fiche \(code.prefix(32)) does not exist in ROME v3")
            }
            return fiche
        case .rome4:
            guard let entry = rome4Codes[code] else {
                throw FieldError(field, .unknownOccupation, "ROME 4.0 code \(code.prefix(32)) does not exist in ROME 4.0")
            }
            return entry.parent
        case .competent:
            guard let version, !version.isEmpty else {
                throw FieldError(field, .missingField, "a Competent code needs its version (known: \(competentVersions.joined(separator: ", ")))")
            }
            guard let table = competent[version] else {
                throw FieldError(field, .unknownOccupation,
                                 "Competent version \(version.prefix(16)) is not known (known: \(competentVersions.joined(separator: ", ")))")
            }
            if let exception = table.exceptions[code] {
                guard let fiche = exception else {
                    throw FieldError(field, .unknownOccupation, "Competent \(version) code \(code) has no ROME v3 equivalent")
                }
                return fiche
            }
            guard let fiche = FicheCode(rawValue: code), self.fiche(fiche) != nil else {
                throw FieldError(field, .unknownOccupation,
                                 "Competent \(version) code \(code.prefix(32)) is neither a ROME v3 fiche nor a listed exception")
            }
            return fiche
        case .ogr:
            guard let ogr = AppellationCode(rawValue: code) else {
                throw FieldError(field, .invalidValue, "'\(code.prefix(32))' is not an OGR appellation code (5 or 6 digits)")
            }
            if let a = appellations[ogr] { return a.fiche }
            if let a = rome4Appellations[ogr] { return a.fiche }
            throw FieldError(field, .unknownOccupation, "OGR appellation \(code) does not exist in ROME")
        }
    }

    /// A record's occupation from the code as its origin gave it, with an optional appellation
    /// that must belong to the resulting fiche (`OCCUPATION_MISMATCH` otherwise).
    public func occupation(source: OccupationSource, appellation: String? = nil, sourceLabel: String? = nil) throws(FieldError) -> Occupation {
        let fiche: FicheCode
        switch source.scheme {
        case .competent:
            fiche = try resolve(.competent, version: source.version, code: source.code)
        case .rome where source.version == "3":
            fiche = try resolve(.rome, code: source.code)
        case .rome where source.version.hasPrefix("4"):
            fiche = try resolve(.rome4, code: source.code)
        case .rome:
            throw FieldError("occupation", .unknownOccupation, "ROME version \(source.version.prefix(16)) is not supported (3 or 4.0)")
        }
        var result = Occupation(fiche: fiche, source: source, sourceLabel: sourceLabel)
        if let appellation, !appellation.isEmpty {
            let owner = try resolve(.ogr, code: appellation, field: "occupationAppellation")
            guard owner == fiche else {
                throw FieldError("occupationAppellation", .occupationMismatch,
                                 "appellation \(appellation) belongs to fiche \(owner), not to \(fiche)")
            }
            result.appellation = AppellationCode(rawValue: appellation)
        }
        return result
    }
}

extension Taxonomy {
    /// The Competent code of a version that stands for a fiche: the fiche's own code unless the
    /// table maps that code elsewhere, else a listed code that maps to the fiche; nil when none.
    public func competentCode(for fiche: FicheCode, version: String) -> String? {
        guard let table = competent[version] else { return nil }
        if table.exceptions[fiche.rawValue] == nil { return fiche.rawValue }
        return table.exceptions.filter { $0.value == fiche }.keys.sorted().first
    }

    /// The ROME 4.0 code that stands for a fiche as a whole: the code equal to the fiche (ROME 4.0
    /// keeps every v3 fiche as a code of its own); nil when the taxonomy in force lacks it.
    public func rome4Code(for fiche: FicheCode) -> String? {
        rome4Codes[fiche.rawValue]?.parent == fiche ? fiche.rawValue : nil
    }
}
