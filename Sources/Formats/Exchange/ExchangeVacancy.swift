import Model
import Taxonomy

/// A vacancy in the exchange profile's JSON form: an HR Open `PositionOpening` restricted as
/// `exchange-records.md` §2 says.
enum ExchangeVacancy {
    static let offeringType: [ContractType: String] = [.permanent: "DirectHire", .fixedTerm: "Contract", .tempAgency: "Temporary", .replacement: "Contract"]
    static let scheduleCode: [ScheduleType: String] = [.fullTime: "FullTime", .partTime: "PartTime"]

    static func identifier<J: JSONDescribing>(_ j: inout J, _ value: String, _ scheme: String, _ version: String?, _ agency: String) {
        j.object { j in
            j.member("value", value)
            j.member("schemeId", scheme)
            if let version { j.member("schemeVersionId", version) }
            j.member("schemeAgencyId", agency)
        }
    }

    /// The vacancy's profile JSON, written straight out (its canonical form: `ExchangeFormat.canonicalJSON`).
    static func encode<J: JSONDescribing>(_ v: Vacancy, to j: inout J) {
        let origin = v.origin.rawValue
        j.object { j in
            j.key("documentId")
            j.object { j in j.member("value", v.id.rawValue); j.member("schemeId", "vacancyId"); j.member("schemeAgencyId", origin) }
            j.key("alternateIds")
            j.array { j in
                j.object { j in j.member("value", String(v.version.rawValue)); j.member("schemeId", "version"); j.member("schemeAgencyId", origin) }
            }
            j.member("statusCode", v.status == .open ? "Active" : "Closed")
            j.key("positionProfiles")
            j.array { j in
                j.object { j in mainProfile(v, origin: origin, to: &j) }
                for t in v.translations {
                    j.object { j in
                        j.member("language", t.language.rawValue)
                        j.member("positionTitle", t.title)
                        if let d = t.description { descriptions(d, to: &j) }
                    }
                }
            }
            if v.status != .open {
                j.key("userArea")
                j.object { j in j.member("closingReasonCode", v.status.rawValue) }
            }
        }
    }

    static func descriptions<J: JSONDescribing>(_ text: String, to j: inout J) {
        j.key("positionFormattedDescriptions")
        j.array { j in j.object { j in j.member("content", text) } }
    }

    /// The members of the first position profile, the one in the vacancy's own language.
    static func mainProfile<J: JSONDescribing>(_ v: Vacancy, origin: String, to j: inout J) {
        j.member("language", v.text.language.rawValue)
        j.member("positionTitle", v.text.title)
        if let d = v.text.description { descriptions(d, to: &j) }
        j.key("jobCategories")
        j.array { j in
            j.object { j in j.key("id"); identifier(&j, v.occupation.fiche.rawValue, "ROME", "3", "FranceTravail") }
            if let ogr = v.occupation.appellation {
                j.object { j in j.key("id"); identifier(&j, ogr.rawValue, "ROME-OGR", "3", "FranceTravail") }
            }
            j.object { j in
                j.key("id")
                identifier(&j, v.occupation.source.code, v.occupation.source.scheme.rawValue, v.occupation.source.version, origin)
                if let label = v.occupation.sourceLabel { j.member("name", label) }
            }
        }
        j.key("positionClassification")
        j.object { j in
            j.key("extendedPositionClassifications")
            j.array { j in
                j.object { j in j.member("countryCode", "BE"); j.member("name", "contractType"); j.member("value", v.contract.rawValue) }
                j.object { j in j.member("countryCode", "BE"); j.member("name", "bottleneckOccupation"); j.member("value", v.bottleneck ? "true" : "false") }
            }
        }
        j.key("positionOpenQuantity"); j.number(String(v.openPositions))
        j.key("positionOfferingTypes"); j.array { j in j.string(offeringType[v.contract]!) }
        j.key("positionScheduleTypeCodes"); j.array { j in j.string(scheduleCode[v.schedule]!) }
        j.key("workingPeriods")
        j.array { j in
            j.object { j in
                j.key("workDuration"); j.object { j in j.key("value"); j.number(v.hoursPerWeek.formatted()); j.member("unitCode", "HUR") }
                j.key("baseDuration"); j.object { j in j.key("value"); j.number("1"); j.member("unitCode", "WEE") }
            }
        }
        j.key("positionOrganizations")
        j.array { j in
            j.object { j in
                j.member("name", v.employer.name)
                j.key("legalIds")
                j.array { j in j.object { j in j.member("value", v.employer.enterpriseNumber.digits); j.member("schemeId", "KBO-BCE") } }
            }
        }
        j.key("positionLocation")
        j.array { j in
            j.object { j in
                j.member("postalCode", v.workplace.postcode.description); j.member("city", v.workplace.municipality); j.member("countryCode", "BE")
            }
        }
        if !v.languages.isEmpty {
            j.key("positionQualifications")
            j.array { j in
                j.object { j in
                    j.key("positionCompetencies")
                    j.array { j in
                        for l in v.languages {
                            j.object { j in
                                j.key("competencyIds")
                                j.array { j in j.object { j in j.member("value", l.language.rawValue); j.member("schemeId", "ISO639-1") } }
                                j.key("requiredProficiencyLevel")
                                j.object { j in
                                    j.key("scoresText")
                                    j.array { j in j.object { j in j.member("value", l.level.rawValue); j.member("scoreTextCode", "CEFR") } }
                                }
                            }
                        }
                    }
                }
            }
        }
        j.key("postingInstructions")
        j.array { j in
            j.object { j in
                j.member("start", v.publicationDate.description)
                if let closing = v.closingDate {
                    j.key("applicationMethods")
                    j.array { j in j.object { j in j.key("applicationCloseDate"); j.object { j in j.member("end", closing.description) } } }
                }
            }
        }
    }

    static let mainMembers: [String] = ["language", "positionTitle", "positionFormattedDescriptions", "jobCategories", "positionClassification",
                                           "positionOpenQuantity", "positionOfferingTypes", "positionScheduleTypeCodes", "workingPeriods",
                                           "positionOrganizations", "positionLocation", "positionQualifications", "postingInstructions"]

    static func decode(_ json: JSONValue, sender: Agency, taxonomy: Taxonomy, agencies: AgencyDirectory, index: Int) -> Decoded {
        let r = ProfileReader(agencies: agencies)
        _ = r.object(json, "$", item: "recordId", allowed: ["documentId", "alternateIds", "statusCode", "positionProfiles", "userArea"])
        let doc = r.object(json["documentId"], "documentId", item: "recordId", allowed: ["value", "schemeId", "schemeAgencyId"])
        let rawId = r.string(doc?["value"], "documentId.value", item: "recordId")
        let id = rawId.flatMap { s in r.attempt { () throws(FieldError) in try RecordID(s) } }
        r.constant(doc?["schemeId"], "documentId.schemeId", item: "recordId", "vacancyId")
        let origin = r.agency(doc?["schemeAgencyId"], "documentId.schemeAgencyId", item: "originAgency")
        if let origin, origin != sender { r.fail("originAgency", .invalidValue, "the vacancy's origin \(origin) is not the batch's sender \(sender)") }
        let alt = r.array(json["alternateIds"], "alternateIds", item: "version")?.first
        _ = r.object(alt, "alternateIds[0]", item: "version", allowed: ["value", "schemeId", "schemeAgencyId"])
        let version = r.string(alt?["value"], "alternateIds[0].value", item: "version").flatMap { s in r.attempt { () throws(FieldError) in try RecordVersion(decimal: s) } }
        r.constant(alt?["schemeId"], "alternateIds[0].schemeId", item: "version", "version")
        if let origin { r.constant(alt?["schemeAgencyId"], "alternateIds[0].schemeAgencyId", item: "version", origin.rawValue) }

        var status: VacancyStatus?
        switch r.string(json["statusCode"], "statusCode", item: "status") {
        case "Active"?:
            status = .open
            if json["userArea"] != nil { r.fail("status", .invalidValue, "userArea is present only when statusCode is Closed") }
        case "Closed"?:
            let area = r.object(json["userArea"], "userArea", item: "status", allowed: ["closingReasonCode"])
            switch r.string(area?["closingReasonCode"], "userArea.closingReasonCode", item: "status") {
            case "FILLED"?: status = .filled
            case "CANCELLED"?: status = .cancelled
            case let other?: r.fail("status", .invalidValue, "userArea.closingReasonCode '\(other.prefix(16))' is not FILLED or CANCELLED")
            case nil: break
            }
        case let other?: r.fail("status", .invalidValue, "statusCode '\(other.prefix(16))' is not Active or Closed")
        case nil: break
        }

        let profiles = r.array(json["positionProfiles"], "positionProfiles", item: "title", count: 1...3) ?? []
        let p = r.object(profiles.first, "positionProfiles[0]", item: "title", allowed: mainMembers)
        func text(_ profile: JSONValue?, _ path: String) -> LocalizedText? {
            let language = r.string(profile?["language"], "\(path).language", item: "title").flatMap { s -> LanguageCode? in
                guard ["nl", "fr", "de"].contains(s) else { r.fail("title", .invalidValue, "\(path).language '\(s.prefix(8))' is not nl, fr or de"); return nil }
                return LanguageCode(rawValue: s)
            }
            let title = r.string(profile?["positionTitle"], "\(path).positionTitle", item: "title")
            var description: String?
            if let d = profile?["positionFormattedDescriptions"] {
                let first = r.array(d, "\(path).positionFormattedDescriptions", item: "description")?.first
                _ = r.object(first, "\(path).positionFormattedDescriptions[0]", item: "description", allowed: ["content"])
                description = r.string(first?["content"], "\(path).positionFormattedDescriptions[0].content", item: "description")
            }
            guard let language, let title else { return nil }
            return LocalizedText(language: language, title: title, description: description)
        }
        let main = text(p, "positionProfiles[0]")
        var translations: [LocalizedText] = []
        for (i, profile) in profiles.enumerated().dropFirst() {
            _ = r.object(profile, "positionProfiles[\(i)]", item: "title", allowed: ["language", "positionTitle", "positionFormattedDescriptions"])
            if let t = text(profile, "positionProfiles[\(i)]") { translations.append(t) }
        }

        // Occupation: fiche, optional appellation, source as given (last).
        let categories = r.array(p?["jobCategories"], "jobCategories", item: "occupation", count: 2...3) ?? []
        /// One category's code, scheme and version (each checked against `fixed` where the profile
        /// fixes it), and its label.
        func category(_ i: Int, scheme: String?, version: String?, agency: String?) -> (code: String, scheme: String, version: String, name: String?)? {
            let c = r.object(categories[i], "jobCategories[\(i)]", item: "occupation", allowed: ["id", "name"])
            let cid = r.object(c?["id"], "jobCategories[\(i)].id", item: "occupation", allowed: ["value", "schemeId", "schemeVersionId", "schemeAgencyId"])
            let code = r.string(cid?["value"], "jobCategories[\(i)].id.value", item: "occupation")
            let schemeText = r.string(cid?["schemeId"], "jobCategories[\(i)].id.schemeId", item: "occupation")
            let versionText = r.string(cid?["schemeVersionId"], "jobCategories[\(i)].id.schemeVersionId", item: "occupation")
            func fixed(_ value: String?, _ member: String, _ expected: String?) {
                if let value, let expected, value != expected {
                    r.fail("occupation", .invalidValue, "jobCategories[\(i)].id.\(member) is '\(value.prefix(32))', the profile requires '\(expected)'")
                }
            }
            fixed(schemeText, "schemeId", scheme)
            fixed(versionText, "schemeVersionId", version)
            fixed(r.string(cid?["schemeAgencyId"], "jobCategories[\(i)].id.schemeAgencyId", item: "occupation"), "schemeAgencyId", agency)
            let name = r.string(c?["name"], "jobCategories[\(i)].name", item: "occupation", required: false)
            if let name, name.unicodeScalars.count > 200 { r.fail("occupation", .invalidValue, "jobCategories[\(i)].name has \(name.unicodeScalars.count) characters, at most 200 are allowed") }
            guard let code, let schemeText, let versionText else { return nil }
            return (code, schemeText, versionText, name)
        }
        var occupation: Occupation?
        if categories.count >= 2 {
            let pivot = category(0, scheme: "ROME", version: "3", agency: "FranceTravail")
            let ogr = categories.count == 3 ? category(1, scheme: "ROME-OGR", version: "3", agency: "FranceTravail") : nil
            let source = category(categories.count - 1, scheme: nil, version: nil, agency: origin?.rawValue)
            if let pivot, let source, categories.count == 2 || ogr != nil {
                occupation = ProfileOccupation(pivot: pivot.code, appellation: ogr?.code, scheme: source.scheme, version: source.version, code: source.code,
                                               label: source.name).resolve(in: taxonomy, r)
            }
        }

        var contract: ContractType?, bottleneck: Bool?
        let classification = r.object(p?["positionClassification"], "positionClassification", item: "contractType", allowed: ["extendedPositionClassifications"])
        for item in r.array(classification?["extendedPositionClassifications"], "positionClassification.extendedPositionClassifications", item: "contractType", count: 2...2) ?? [] {
            _ = r.object(item, "extendedPositionClassifications[]", item: "contractType", allowed: ["countryCode", "name", "value"])
            r.constant(item["countryCode"], "extendedPositionClassifications[].countryCode", item: "contractType", "BE")
            switch r.string(item["name"], "extendedPositionClassifications[].name", item: "contractType") {
            case "contractType"?:
                contract = r.string(item["value"], "contractType", item: "contractType").flatMap { s in r.attempt { () throws(FieldError) in try ContractType(canonical: s, field: "contractType") } }
            case "bottleneckOccupation"?:
                switch r.string(item["value"], "bottleneckOccupation", item: "bottleneck") {
                case "true"?: bottleneck = true
                case "false"?: bottleneck = false
                case let other?: r.fail("bottleneck", .invalidValue, "bottleneckOccupation '\(other.prefix(8))' is not \"true\" or \"false\"")
                case nil: break
                }
            case let other?: r.fail("contractType", .invalidValue, "classification '\(other.prefix(32))' is not contractType or bottleneckOccupation")
            case nil: break
            }
        }
        if contract == nil && r.errors.allSatisfy({ $0.field != "contractType" }) { r.fail("contractType", .missingField, "the contractType classification is missing") }
        if bottleneck == nil && r.errors.allSatisfy({ $0.field != "bottleneck" }) { r.fail("bottleneck", .missingField, "the bottleneckOccupation classification is missing") }
        if let offering = r.string(r.array(p?["positionOfferingTypes"], "positionOfferingTypes", item: "contractType")?.first,
                                   "positionOfferingTypes[0]", item: "contractType") {
            if let contract, offering != offeringType[contract]! {
                r.fail("contractType", .invalidValue, "positionOfferingTypes[0] is '\(offering.prefix(16))'; contractType \(contract.rawValue) is \(offeringType[contract]!)")
            } else if contract == nil, !offeringType.values.contains(offering) {
                r.fail("contractType", .invalidValue, "positionOfferingTypes[0] '\(offering.prefix(16))' is not DirectHire, Contract or Temporary")
            }
        }
        let positions = r.integer(p?["positionOpenQuantity"], "positionOpenQuantity", item: "openPositions")
        var schedule: ScheduleType?
        if let code = r.string(r.array(p?["positionScheduleTypeCodes"], "positionScheduleTypeCodes", item: "schedule")?.first, "positionScheduleTypeCodes[0]", item: "schedule") {
            schedule = scheduleCode.first { $0.value == code }?.key
            if schedule == nil { r.fail("schedule", .invalidValue, "positionScheduleTypeCodes[0] '\(code.prefix(16))' is not FullTime or PartTime") }
        }
        var hours: HoursPerWeek?
        if let period = r.array(p?["workingPeriods"], "workingPeriods", item: "hoursPerWeek")?.first {
            _ = r.object(period, "workingPeriods[0]", item: "hoursPerWeek", allowed: ["workDuration", "baseDuration"])
            let duration = r.object(period["workDuration"], "workingPeriods[0].workDuration", item: "hoursPerWeek", allowed: ["value", "unitCode"])
            r.constant(duration?["unitCode"], "workDuration.unitCode", item: "hoursPerWeek", "HUR")
            hours = r.number(duration?["value"], "workDuration.value", item: "hoursPerWeek").flatMap { n in r.attempt { () throws(FieldError) in try HoursPerWeek(number: n) } }
            let base = r.object(period["baseDuration"], "workingPeriods[0].baseDuration", item: "hoursPerWeek", allowed: ["value", "unitCode"])
            r.constant(base?["unitCode"], "baseDuration.unitCode", item: "hoursPerWeek", "WEE")
            if let n = r.number(base?["value"], "baseDuration.value", item: "hoursPerWeek"), DecimalNumber(n)?.scaled(by: 0) != 1 { r.fail("hoursPerWeek", .invalidValue, "baseDuration.value must be 1") }
        }
        var employer: Employer?
        if let org = r.array(p?["positionOrganizations"], "positionOrganizations", item: "employerName")?.first {
            _ = r.object(org, "positionOrganizations[0]", item: "employerName", allowed: ["name", "legalIds"])
            let name = r.string(org["name"], "positionOrganizations[0].name", item: "employerName")
            let legal = r.array(org["legalIds"], "positionOrganizations[0].legalIds", item: "enterpriseNumber")?.first
            _ = r.object(legal, "legalIds[0]", item: "enterpriseNumber", allowed: ["value", "schemeId"])
            r.constant(legal?["schemeId"], "legalIds[0].schemeId", item: "enterpriseNumber", "KBO-BCE")
            let number = r.string(legal?["value"], "legalIds[0].value", item: "enterpriseNumber").flatMap { s -> EnterpriseNumber? in
                guard r.digits(s, 10) else { r.fail("enterpriseNumber", .invalidEnterpriseNumber, "the profile writes enterprise numbers as 10 digits"); return nil }
                return r.attempt { () throws(FieldError) in try EnterpriseNumber(s) }
            }
            if let name, let number { employer = Employer(name: name, enterpriseNumber: number) }
        }
        var workplace: Workplace?
        if let location = r.array(p?["positionLocation"], "positionLocation", item: "postcode")?.first {
            _ = r.object(location, "positionLocation[0]", item: "postcode", allowed: ["postalCode", "city", "countryCode"])
            let postcode = r.string(location["postalCode"], "positionLocation[0].postalCode", item: "postcode").flatMap { s in r.attempt { () throws(FieldError) in try Postcode(s) } }
            let city = r.string(location["city"], "positionLocation[0].city", item: "municipality")
            r.constant(location["countryCode"], "positionLocation[0].countryCode", item: "country", "BE")
            if let postcode, let city { workplace = Workplace(postcode: postcode, municipality: city) }
        }
        var languages: [LanguageRequirement] = []
        if let q = p?["positionQualifications"], let first = r.array(q, "positionQualifications", item: "languages")?.first {
            _ = r.object(first, "positionQualifications[0]", item: "languages", allowed: ["positionCompetencies"])
            for (i, c) in (r.array(first["positionCompetencies"], "positionCompetencies", item: "languages", count: 1...20) ?? []).enumerated() {
                // The item's path, made only for a fault's message.
                func path() -> String { "positionCompetencies[\(i)]" }
                _ = r.object(c, path(), item: "languages", allowed: ["competencyIds", "requiredProficiencyLevel"])
                let ids = r.array(c["competencyIds"], "\(path()).competencyIds", item: "languages")?.first
                _ = r.object(ids, "\(path()).competencyIds[0]", item: "languages", allowed: ["value", "schemeId"])
                r.constant(ids?["schemeId"], "\(path()).competencyIds[0].schemeId", item: "languages", "ISO639-1")
                let level = r.object(c["requiredProficiencyLevel"], "\(path()).requiredProficiencyLevel", item: "languages", allowed: ["scoresText"])
                let score = r.array(level?["scoresText"], "\(path()).requiredProficiencyLevel.scoresText", item: "languages")?.first
                _ = r.object(score, "\(path()).requiredProficiencyLevel.scoresText[0]", item: "languages", allowed: ["value", "scoreTextCode"])
                r.constant(score?["scoreTextCode"], "\(path()).scoresText[0].scoreTextCode", item: "languages", "CEFR")
                let code = r.string(ids?["value"], "\(path()).competencyIds[0].value", item: "languages").flatMap { code -> LanguageCode? in
                    guard !code.utf8.contains(where: { (0x41...0x5A).contains($0) }) else {
                        r.fail("languages", .invalidValue, "language codes are lower case in the profile")
                        return nil
                    }
                    return r.attempt { () throws(FieldError) in try LanguageCode(code) }
                }
                let cefr = r.string(score?["value"], "\(path()).scoresText[0].value", item: "languages").flatMap { level -> CEFRLevel? in
                    guard let cefr = CEFRLevel(rawValue: level) else {
                        r.fail("languages", .invalidValue, "'\(level.prefix(8))' is not a CEFR level as the profile writes it (A1, A2, B1, B2, C1, C2)")
                        return nil
                    }
                    return cefr
                }
                if let code, let cefr { languages.append(LanguageRequirement(language: code, level: cefr)) }
            }
        }
        var published: CalendarDate?, closing: CalendarDate?
        if let posting = r.array(p?["postingInstructions"], "postingInstructions", item: "publicationDate")?.first {
            _ = r.object(posting, "postingInstructions[0]", item: "publicationDate", allowed: ["start", "applicationMethods"])
            published = r.date(posting["start"], "postingInstructions[0].start", item: "publicationDate")
            if let methods = posting["applicationMethods"], let method = r.array(methods, "applicationMethods", item: "closingDate")?.first {
                _ = r.object(method, "applicationMethods[0]", item: "closingDate", allowed: ["applicationCloseDate"])
                let close = r.object(method["applicationCloseDate"], "applicationMethods[0].applicationCloseDate", item: "closingDate", allowed: ["end"])
                closing = r.date(close?["end"], "applicationCloseDate.end", item: "closingDate")
            }
        }
        var errors = r.errors
        var vacancy: Vacancy?
        if errors.isEmpty, let id, let version, let status, let main, let occupation, let bottleneck, let positions, let contract,
           let schedule, let hours, let employer, let workplace, let published, let origin {
            let v = Vacancy(origin: origin, id: id, version: version, status: status, text: main, translations: translations, occupation: occupation,
                            bottleneck: bottleneck, openPositions: positions, contract: contract, schedule: schedule, hoursPerWeek: hours,
                            employer: employer, workplace: workplace, languages: languages, publicationDate: published, closingDate: closing)
            errors = v.violations()
            if errors.isEmpty { vacancy = v }
        }
        return Decoded(recordId: rawId ?? "#\(index + 1)", record: vacancy.map(CanonicalRecord.vacancy), errors: errors, notes: r.notes)
    }
}
