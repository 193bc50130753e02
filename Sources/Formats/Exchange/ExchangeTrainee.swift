import Model
import Taxonomy

/// A trainee record in the exchange profile's JSON form (`exchange-records.md` §3).
enum ExchangeTrainee {
    /// The record's profile JSON, written straight out (its canonical form: `ExchangeFormat.canonicalJSON`).
    static func encode<J: JSONDescribing>(_ t: TraineeRecord, to j: inout J) {
        j.object { j in
            j.member("recordId", t.id.rawValue)
            j.key("recordVersion"); j.number(String(t.version.rawValue))
            j.member("referringAgency", t.referringAgency.rawValue)
            j.member("trainingAgency", t.trainingAgency.rawValue)
            j.key("person")
            j.object { j in
                j.member("nationalNumber", t.person.nationalNumber.digits); j.member("lastName", t.person.lastName)
                j.member("firstName", t.person.firstName); j.member("birthDate", t.person.birthDate.description)
                j.member("gender", t.person.gender.rawValue)
            }
            j.key("scheme")
            j.object { j in
                j.member("type", t.scheme.type.rawValue)
                if let native = t.scheme.nativeName { j.member("nativeName", native) }
            }
            j.key("occupation")
            j.object { j in
                j.member("romeCode", t.occupation.fiche.rawValue)
                j.key("source")
                j.object { j in
                    j.member("scheme", t.occupation.source.scheme.rawValue); j.member("version", t.occupation.source.version)
                    j.member("code", t.occupation.source.code)
                }
            }
            if let e = t.employer {
                j.key("employer")
                j.object { j in j.member("enterpriseNumber", e.enterpriseNumber.digits); j.member("name", e.name) }
            }
            j.key("period")
            j.object { j in
                j.member("start", t.period.start.description); j.member("plannedEnd", t.period.plannedEnd.description)
                if let end = t.period.actualEnd { j.member("actualEnd", end.description) }
            }
            j.member("status", t.status.rawValue)
            if let link = t.linkedVacancy {
                j.key("linkedVacancy")
                j.object { j in j.member("originAgency", link.originAgency.rawValue); j.member("vacancyId", link.vacancyId.rawValue) }
            }
        }
    }

    static func decode(_ json: JSONValue, sender: Agency, taxonomy: Taxonomy, agencies: AgencyDirectory, index: Int) -> Decoded {
        let r = ProfileReader(agencies: agencies)
        _ = r.object(json, "$", item: "recordId", allowed: ["recordId", "recordVersion", "referringAgency", "trainingAgency", "person", "scheme",
                                                            "occupation", "employer", "period", "status", "linkedVacancy"])
        let rawId = r.string(json["recordId"], "recordId", item: "recordId")
        let id = rawId.flatMap { s in r.attempt { () throws(FieldError) in try RecordID(s) } }
        let version = r.integer(json["recordVersion"], "recordVersion", item: "version").flatMap { n in r.attempt { () throws(FieldError) in try RecordVersion(n) } }
        let referring = r.agency(json["referringAgency"], "referringAgency", item: "referringAgency")
        let training = r.agency(json["trainingAgency"], "trainingAgency", item: "trainingAgency")
        if let training, training != sender { r.fail("trainingAgency", .invalidValue, "the training agency \(training) is not the batch's sender \(sender)") }
        let person = r.object(json["person"], "person", item: "nationalNumber", allowed: ["nationalNumber", "lastName", "firstName", "birthDate", "gender"])
        let birth = r.date(person?["birthDate"], "person.birthDate", item: "birthDate")
        let national = r.string(person?["nationalNumber"], "person.nationalNumber", item: "nationalNumber").flatMap { s -> NationalNumber? in
            guard r.digits(s, 11) else { r.fail("nationalNumber", .invalidNationalNumber, "the profile writes national numbers as 11 digits"); return nil }
            return r.attempt { () throws(FieldError) in try NationalNumber(s, birthDate: birth) }
        }
        let last = r.string(person?["lastName"], "person.lastName", item: "lastName"), first = r.string(person?["firstName"], "person.firstName", item: "firstName")
        let gender = r.string(person?["gender"], "person.gender", item: "gender").flatMap { s in r.attempt { () throws(FieldError) in try Gender(canonical: s, field: "gender") } }
        let schemeObject = r.object(json["scheme"], "scheme", item: "scheme", allowed: ["type", "nativeName"])
        let schemeType = r.string(schemeObject?["type"], "scheme.type", item: "scheme").flatMap { s in r.attempt { () throws(FieldError) in try TraineeSchemeType(canonical: s, field: "scheme") } }
        let native = r.string(schemeObject?["nativeName"], "scheme.nativeName", item: "scheme", required: false)
        let occupationObject = r.object(json["occupation"], "occupation", item: "occupation", allowed: ["romeCode", "source"])
        let pivot = r.string(occupationObject?["romeCode"], "occupation.romeCode", item: "occupation")
        let source = r.object(occupationObject?["source"], "occupation.source", item: "occupationSource", allowed: ["scheme", "version", "code"])
        let sourceScheme = r.string(source?["scheme"], "occupation.source.scheme", item: "occupationSource")
        let sourceVersion = r.string(source?["version"], "occupation.source.version", item: "occupationSource")
        let sourceCode = r.string(source?["code"], "occupation.source.code", item: "occupationSource")
        var occupation: Occupation?
        if let pivot, let sourceScheme, let sourceVersion, let sourceCode {
            occupation = ProfileOccupation(pivot: pivot, scheme: sourceScheme, version: sourceVersion, code: sourceCode).resolve(in: taxonomy, r)
        }
        var employer: Employer?
        if let e = r.object(json["employer"], "employer", item: "employerName", allowed: ["enterpriseNumber", "name"], required: false) {
            let number = r.string(e["enterpriseNumber"], "employer.enterpriseNumber", item: "enterpriseNumber").flatMap { s -> EnterpriseNumber? in
                guard r.digits(s, 10) else { r.fail("enterpriseNumber", .invalidEnterpriseNumber, "the profile writes enterprise numbers as 10 digits"); return nil }
                return r.attempt { () throws(FieldError) in try EnterpriseNumber(s) }
            }
            if let name = r.string(e["name"], "employer.name", item: "employerName"), let number { employer = Employer(name: name, enterpriseNumber: number) }
        }
        let periodObject = r.object(json["period"], "period", item: "period", allowed: ["start", "plannedEnd", "actualEnd"])
        let start = r.date(periodObject?["start"], "period.start", item: "period"), planned = r.date(periodObject?["plannedEnd"], "period.plannedEnd", item: "period")
        let actual = r.date(periodObject?["actualEnd"], "period.actualEnd", item: "period", required: false)
        let status = r.string(json["status"], "status", item: "status").flatMap { s in r.attempt { () throws(FieldError) in try TraineeStatus(canonical: s, field: "status") } }
        var link: VacancyReference?
        if let l = r.object(json["linkedVacancy"], "linkedVacancy", item: "linkedVacancy", allowed: ["originAgency", "vacancyId"], required: false) {
            let agency = r.agency(l["originAgency"], "linkedVacancy.originAgency", item: "linkedVacancy")
            let vid = r.string(l["vacancyId"], "linkedVacancy.vacancyId", item: "linkedVacancy").flatMap { s in r.attempt { () throws(FieldError) in try RecordID(s, field: "linkedVacancy") } }
            if let agency, let vid { link = VacancyReference(originAgency: agency, vacancyId: vid) }
        }
        var errors = r.errors
        var record: TraineeRecord?
        if errors.isEmpty, let id, let version, let referring, let training, let national, let last, let first, let birth, let gender,
           let schemeType, let occupation, let start, let planned, let status {
            let t = TraineeRecord(id: id, version: version, referringAgency: referring, trainingAgency: training,
                                  person: Person(nationalNumber: national, lastName: last, firstName: first, birthDate: birth, gender: gender),
                                  scheme: TraineeScheme(type: schemeType, nativeName: native), occupation: occupation, employer: employer,
                                  period: TrainingPeriod(start: start, plannedEnd: planned, actualEnd: actual), status: status, linkedVacancy: link)
            errors = agencies.traineeRules.violations(of: t)
            if errors.isEmpty { record = t }
        }
        return Decoded(recordId: rawId ?? "#\(index + 1)", record: record.map(CanonicalRecord.trainee), errors: errors, notes: r.notes)
    }
}

/// The XML form of a trainee record: the JSON object with every member name capitalised.
enum TraineeXML {
    static func element(_ name: String, _ value: JSONValue) -> XMLElement {
        switch value {
        case .object(let members): XMLElement(name: name, children: members.map { element(capitalised($0.0), $0.1) })
        case .string(let s), .number(let s): XMLElement(name: name, text: s)
        case .bool(let b): XMLElement(name: name, text: b ? "true" : "false")
        case .null, .array: XMLElement(name: name)
        }
    }

    /// The element as its JSON object: a container of the shape (`Person`, `LinkedVacancy`, …) an
    /// object even when empty, a value a string (a number for `RecordVersion`, whose JSON is one).
    static func json(_ element: XMLElement, shape: XMLShape? = TraineeXML.shape) -> JSONValue {
        guard shape.map({ !$0.children.isEmpty }) ?? !element.children.isEmpty else {
            return element.name == "RecordVersion" ? VacancyXML.numeric(element.text) : .string(element.text)
        }
        return .object(element.children.map { child in
            (decapitalised(child.name), json(child, shape: shape?.children.first { $0.shape.name == child.name }?.shape))
        })
    }

    /// `TraineeRecord` as §5.2 has it: the §3 object with every member capitalised, in its order,
    /// every element in the exchange namespace, no attributes.
    static let shape: XMLShape = {
        func e(_ name: String, _ item: String, _ children: [XMLShape.Child] = []) -> XMLShape.Child {
            .init(XMLShape(name, ExchangeFormat.namespace, item: item, children: children))
        }
        return XMLShape("TraineeRecord", ExchangeFormat.namespace, item: "recordId", children: [
            e("RecordId", "recordId"), e("RecordVersion", "version"), e("ReferringAgency", "referringAgency"), e("TrainingAgency", "trainingAgency"),
            e("Person", "nationalNumber", [e("NationalNumber", "nationalNumber"), e("LastName", "lastName"), e("FirstName", "firstName"),
                                           e("BirthDate", "birthDate"), e("Gender", "gender")]),
            e("Scheme", "scheme", [e("Type", "scheme"), e("NativeName", "scheme")]),
            e("Occupation", "occupation", [e("RomeCode", "occupation"), e("Source", "occupationSource", [
                e("Scheme", "occupationSource"), e("Version", "occupationSource"), e("Code", "occupationSource")])]),
            e("Employer", "employerName", [e("EnterpriseNumber", "enterpriseNumber"), e("Name", "employerName")]),
            e("Period", "period", [e("Start", "period"), e("PlannedEnd", "period"), e("ActualEnd", "period")]),
            e("Status", "status"),
            e("LinkedVacancy", "linkedVacancy", [e("OriginAgency", "linkedVacancy"), e("VacancyId", "linkedVacancy")]),
        ])
    }()

    static func capitalised(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }
    static func decapitalised(_ s: String) -> String { s.prefix(1).lowercased() + s.dropFirst() }
}
