/// Which in-company schemes each training agency runs, by their native names. The profile's
/// table is the default; a gateway takes its own from its agency directory (`mappings/agencies.yaml`).
public struct TraineeRules: Sendable {
    public var inCompanySchemes: [Agency: Set<String>]

    public init(inCompanySchemes: [Agency: Set<String>]) {
        self.inCompanySchemes = inCompanySchemes
    }

    /// `exchange-records.md` §3: VDAB `IBO`; FOREM `PFI`; ADG `IBU`; BF `FPI` or `FPI-E`.
    /// Actiris trains nobody, so it has no entry and cannot be a training agency.
    public static let profile = AgencyDirectory.profile.traineeRules

    /// Every rule of the record that involves more than one field's form, in field order.
    public func violations(of record: TraineeRecord) -> [FieldError] {
        var found: [FieldError] = []
        func check(_ rule: () throws(FieldError) -> Void) {
            do { try rule() } catch { found.append(error) }
        }
        let schemes = inCompanySchemes[record.trainingAgency]
        if schemes == nil {
            found.append(FieldError("trainingAgency", .invalidValue, "\(record.trainingAgency) is not a training agency"))
        }
        check { () throws(FieldError) in
            _ = try NationalNumber(record.person.nationalNumber.digits, birthDate: record.person.birthDate)
        }
        check { () throws(FieldError) in try requireText(record.person.lastName, field: "lastName", maximum: 100) }
        check { () throws(FieldError) in try requireText(record.person.firstName, field: "firstName", maximum: 100) }
        switch (record.scheme.type, record.scheme.nativeName) {
        case (.inCompany, nil):
            found.append(FieldError("scheme", .missingField, "an in-company scheme needs its native name"))
        case (.inCompany, let name?):
            if let schemes, !schemes.contains(name) {
                found.append(FieldError("scheme", .invalidValue,
                                        "\(record.trainingAgency) runs no in-company scheme named '\(name)' (it runs \(schemes.sorted().joined(separator: ", ")))"))
            }
        case (.centre, _?):
            found.append(FieldError("scheme", .invalidValue, "centre training has no native scheme name"))
        case (.centre, nil):
            break
        }
        switch (record.scheme.type, record.employer) {
        case (.inCompany, nil):
            found.append(FieldError("employerName", .missingField, "an in-company training needs its employer"))
        case (.inCompany, let employer?):
            check { () throws(FieldError) in try requireText(employer.name, field: "employerName", maximum: 200) }
        case (.centre, _?):
            found.append(FieldError("employerName", .invalidValue, "centre training has no employer"))
        case (.centre, nil):
            break
        }
        let p = record.period
        check { () throws(FieldError) in try requireNotBefore(p.plannedEnd, p.start, field: "period", startField: "start") }
        switch (record.status.hasEnded, p.actualEnd) {
        case (true, nil):
            found.append(FieldError("period", .missingField, "a \(record.status.rawValue) training needs its actual end date"))
        case (false, _?):
            found.append(FieldError("period", .invalidValue, "only a COMPLETED or TERMINATED training has an actual end date"))
        case (true, let end?):
            check { () throws(FieldError) in try requireNotBefore(end, p.start, field: "period", startField: "start") }
        case (false, nil):
            break
        }
        return found
    }
}
