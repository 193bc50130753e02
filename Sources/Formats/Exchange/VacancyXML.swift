/// The XML form of a vacancy record: an HR-XML 3.2 `PositionOpening` (`exchange-records.md` §5.1),
/// converted to and from the JSON form so that one decoder checks both.
enum VacancyXML {
    static let hrxml = "http://www.hr-xml.org/3", oagis = "http://www.openapplications.org/oagis/9", exchange = "urn:be:pes:exchange:1"

    static func e(_ name: String, _ attributes: [(String, String)] = [], text: String = "", _ children: [XMLElement] = []) -> XMLElement {
        XMLElement(name: name, attributes: attributes.map { .init(name: $0.0, value: $0.1) }, children: children, text: text)
    }

    static func string(_ v: JSONValue?) -> String? {
        switch v {
        case .string(let s)?, .number(let s)?: s
        default: nil
        }
    }

    static func items(_ v: JSONValue?) -> [JSONValue] { if case .array(let a)? = v { return a } else { return [] } }

    /// A number's text as a JSON number, anything else as a string (for the decoder to refuse).
    static func numeric(_ text: String) -> JSONValue { JSONParser.isJSONNumber(Array(text.utf8)) ? .number(text) : .string(text) }

    /// `PositionOpening` as §5.1 has it: children in the table's order, address parts in OAGIS,
    /// the profile's own items in `UserArea` under `be:`.
    static let shape: XMLShape = {
        func h(_ name: String, _ item: String, attributes: [XMLShape.Attribute] = [], _ children: [XMLShape.Child] = []) -> XMLShape {
            XMLShape(name, hrxml, item: item, attributes: attributes, children: children)
        }
        func be(_ name: String, _ item: String) -> XMLShape.Child { .init(XMLShape(name, exchange, item: item)) }
        let description = XMLShape.Child(h("PositionFormattedDescription", "description", [.init(h("Content", "description"))]))
        let main = h("PositionProfile", "title", attributes: [.init(name: "languageCode")], [
            .init(h("PositionTitle", "title")),
            .init(h("PositionLocation", "postcode", [.init(h("Address", "postcode", [
                .init(XMLShape("CityName", oagis, item: "municipality")), .init(h("CountryCode", "country")),
                .init(XMLShape("PostalCode", oagis, item: "postcode")),
            ]))])),
            .init(h("PositionOrganization", "employerName", [.init(h("OrganizationIdentifiers", "employerName", [
                .init(h("OrganizationName", "employerName")),
                .init(h("OrganizationLegalID", "enterpriseNumber", attributes: [.init(name: "schemeID")])),
            ]))])),
            .init(h("PositionOpenQuantity", "openPositions")),
            .init(h("JobCategoryCode", "occupation", attributes: [.init(name: "listName"), .init(name: "listVersionID"), .init(name: "listAgencyID"),
                                                                  .init(name: "name")]), most: 3),
            .init(h("PositionOfferingTypeCode", "contractType")),
            .init(h("PositionQualifications", "languages", [.init(h("PositionCompetency", "languages", [
                .init(h("CompetencyID", "languages", attributes: [.init(name: "schemeID")])),
                .init(h("RequiredProficiencyLevel", "languages", [.init(h("ScoreText", "languages"))])),
            ]), most: 20)])),
            description,
            .init(h("PositionScheduleTypeCode", "schedule")),
            .init(h("ApplicationCloseDate", "closingDate"), optional: true),
        ])
        let translation = h("PositionProfile", "title", attributes: [.init(name: "languageCode")], [.init(h("PositionTitle", "title")), description])
        return h("PositionOpening", "recordId", attributes: [.init(name: "majorVersionID", required: true, fixed: "3"),
                                                             .init(name: "minorVersionID", required: true, fixed: "2")], [
            .init(h("DocumentID", "recordId", attributes: [.init(name: "schemeID"), .init(name: "schemeAgencyID")])),
            .init(h("PositionOpeningStatusCode", "status")),
            .init(main), .init(translation, most: 2),
            .init(h("UserArea", "recordId", [
                be("RecordVersion", "version"), be("ClosingReasonCode", "status"), be("ContractType", "contractType"),
                be("BottleneckOccupation", "bottleneck"), be("HoursPerWeek", "hoursPerWeek"), be("PublicationDate", "publicationDate"),
            ])),
        ])
    }()

    /// JSON form → `PositionOpening` element.
    static func element(_ json: JSONValue) -> XMLElement {
        var opening = e("PositionOpening", [("xmlns", hrxml), ("xmlns:oa", oagis), ("xmlns:be", exchange), ("majorVersionID", "3"), ("minorVersionID", "2")])
        let doc = json["documentId"]
        opening.children.append(e("DocumentID", [("schemeID", string(doc?["schemeId"]) ?? ""), ("schemeAgencyID", string(doc?["schemeAgencyId"]) ?? "")],
                                  text: string(doc?["value"]) ?? ""))
        opening.children.append(e("PositionOpeningStatusCode", text: string(json["statusCode"]) ?? ""))
        let profiles = items(json["positionProfiles"])
        if let p = profiles.first {
            var pp = e("PositionProfile", [("languageCode", string(p["language"]) ?? "")])
            pp.children.append(e("PositionTitle", text: string(p["positionTitle"]) ?? ""))
            if let loc = items(p["positionLocation"]).first {
                pp.children.append(e("PositionLocation", [], [e("Address", [], [
                    e("oa:CityName", text: string(loc["city"]) ?? ""), e("CountryCode", text: string(loc["countryCode"]) ?? ""),
                    e("oa:PostalCode", text: string(loc["postalCode"]) ?? ""),
                ])]))
            }
            if let org = items(p["positionOrganizations"]).first {
                let legal = items(org["legalIds"]).first
                pp.children.append(e("PositionOrganization", [], [e("OrganizationIdentifiers", [], [
                    e("OrganizationName", text: string(org["name"]) ?? ""),
                    e("OrganizationLegalID", [("schemeID", string(legal?["schemeId"]) ?? "")], text: string(legal?["value"]) ?? ""),
                ])]))
            }
            if let n = string(p["positionOpenQuantity"]) { pp.children.append(e("PositionOpenQuantity", text: n)) }
            for c in items(p["jobCategories"]) {
                let id = c["id"]
                var attributes = [("listName", string(id?["schemeId"]) ?? ""), ("listVersionID", string(id?["schemeVersionId"]) ?? ""),
                                  ("listAgencyID", string(id?["schemeAgencyId"]) ?? "")]
                if let name = string(c["name"]) { attributes.append(("name", name)) }
                pp.children.append(e("JobCategoryCode", attributes, text: string(id?["value"]) ?? ""))
            }
            for t in items(p["positionOfferingTypes"]) { pp.children.append(e("PositionOfferingTypeCode", text: string(t) ?? "")) }
            if let q = items(p["positionQualifications"]).first {
                pp.children.append(e("PositionQualifications", [], items(q["positionCompetencies"]).map { c in
                    let id = items(c["competencyIds"]).first, score = items(c["requiredProficiencyLevel"]?["scoresText"]).first
                    return e("PositionCompetency", [], [e("CompetencyID", [("schemeID", string(id?["schemeId"]) ?? "")], text: string(id?["value"]) ?? ""),
                                                         e("RequiredProficiencyLevel", [], [e("ScoreText", text: string(score?["value"]) ?? "")])])
                }))
            }
            if let d = items(p["positionFormattedDescriptions"]).first {
                pp.children.append(e("PositionFormattedDescription", [], [e("Content", text: string(d["content"]) ?? "")]))
            }
            for s in items(p["positionScheduleTypeCodes"]) { pp.children.append(e("PositionScheduleTypeCode", text: string(s) ?? "")) }
            let posting = items(p["postingInstructions"]).first
            if let close = string(items(posting?["applicationMethods"]).first?["applicationCloseDate"]?["end"]) {
                pp.children.append(e("ApplicationCloseDate", text: close))
            }
            opening.children.append(pp)
            for t in profiles.dropFirst() {
                var tp = e("PositionProfile", [("languageCode", string(t["language"]) ?? "")], [e("PositionTitle", text: string(t["positionTitle"]) ?? "")])
                if let d = items(t["positionFormattedDescriptions"]).first {
                    tp.children.append(e("PositionFormattedDescription", [], [e("Content", text: string(d["content"]) ?? "")]))
                }
                opening.children.append(tp)
            }
            var area = e("UserArea")
            area.children.append(e("be:RecordVersion", text: string(items(json["alternateIds"]).first?["value"]) ?? ""))
            if let reason = string(json["userArea"]?["closingReasonCode"]) { area.children.append(e("be:ClosingReasonCode", text: reason)) }
            let classes = items(p["positionClassification"]?["extendedPositionClassifications"])
            func classification(_ name: String) -> String? { string(classes.first { string($0["name"]) == name }?["value"]) }
            if let c = classification("contractType") { area.children.append(e("be:ContractType", text: c)) }
            if let b = classification("bottleneckOccupation") { area.children.append(e("be:BottleneckOccupation", text: b)) }
            if let h = string(items(p["workingPeriods"]).first?["workDuration"]?["value"]) { area.children.append(e("be:HoursPerWeek", text: h)) }
            if let start = string(posting?["start"]) { area.children.append(e("be:PublicationDate", text: start)) }
            opening.children.append(area)
        }
        return opening
    }

    /// `PositionOpening` element → JSON form. What is absent stays absent, for the decoder to name.
    static func json(_ x: XMLElement) -> JSONValue {
        func child(_ e: XMLElement?, _ name: String) -> XMLElement? { e?.children.first { $0.name == name } }
        func all(_ e: XMLElement?, _ name: String) -> [XMLElement] { e?.children.filter { $0.name == name } ?? [] }
        func text(_ e: XMLElement?) -> JSONValue? { e.map { .string($0.text) } }
        func obj(_ members: [(String, JSONValue?)]) -> JSONValue { .object(members.compactMap { k, v in v.map { (k, $0) } }) }

        let area = child(x, "UserArea")
        let doc = child(x, "DocumentID")
        let origin = doc?.attribute("schemeAgencyID")
        var record: [(String, JSONValue?)] = [
            ("documentId", doc.map { d in obj([("value", .string(d.text)), ("schemeId", d.attribute("schemeID").map(JSONValue.string)),
                                               ("schemeAgencyId", origin.map(JSONValue.string))]) }),
            ("alternateIds", child(area, "RecordVersion").map { v in .array([obj([("value", .string(v.text)), ("schemeId", .string("version")),
                                                                                  ("schemeAgencyId", origin.map(JSONValue.string))])]) }),
            ("statusCode", text(child(x, "PositionOpeningStatusCode"))),
        ]
        let profiles = all(x, "PositionProfile")
        var jsonProfiles: [JSONValue] = []
        for (i, pp) in profiles.enumerated() {
            var p: [(String, JSONValue?)] = [("language", pp.attribute("languageCode").map(JSONValue.string)), ("positionTitle", text(child(pp, "PositionTitle")))]
            if let content = child(child(pp, "PositionFormattedDescription"), "Content") {
                p.append(("positionFormattedDescriptions", .array([.object([("content", .string(content.text))])])))
            }
            if i == 0 {
                let categories = all(pp, "JobCategoryCode").map { c -> JSONValue in
                    obj([("id", obj([("value", .string(c.text)), ("schemeId", c.attribute("listName").map(JSONValue.string)),
                                     ("schemeVersionId", c.attribute("listVersionID").map(JSONValue.string)),
                                     ("schemeAgencyId", c.attribute("listAgencyID").map(JSONValue.string))])),
                         ("name", c.attribute("name").map(JSONValue.string))])
                }
                if !categories.isEmpty { p.append(("jobCategories", .array(categories))) }
                var classes: [JSONValue] = []
                if let c = child(area, "ContractType") { classes.append(.object([("countryCode", .string("BE")), ("name", .string("contractType")), ("value", .string(c.text))])) }
                if let b = child(area, "BottleneckOccupation") { classes.append(.object([("countryCode", .string("BE")), ("name", .string("bottleneckOccupation")), ("value", .string(b.text))])) }
                if !classes.isEmpty { p.append(("positionClassification", .object([("extendedPositionClassifications", .array(classes))]))) }
                p.append(("positionOpenQuantity", child(pp, "PositionOpenQuantity").map { numeric($0.text) }))
                let offering = all(pp, "PositionOfferingTypeCode").map { JSONValue.string($0.text) }
                if !offering.isEmpty { p.append(("positionOfferingTypes", .array(offering))) }
                let schedule = all(pp, "PositionScheduleTypeCode").map { JSONValue.string($0.text) }
                if !schedule.isEmpty { p.append(("positionScheduleTypeCodes", .array(schedule))) }
                if let h = child(area, "HoursPerWeek") {
                    p.append(("workingPeriods", .array([.object([("workDuration", .object([("value", numeric(h.text)), ("unitCode", .string("HUR"))])),
                                                                 ("baseDuration", .object([("value", .number("1")), ("unitCode", .string("WEE"))]))])])))
                }
                if let ids = child(child(pp, "PositionOrganization"), "OrganizationIdentifiers") {
                    let legal = child(ids, "OrganizationLegalID")
                    p.append(("positionOrganizations", .array([obj([("name", text(child(ids, "OrganizationName"))),
                                                                    ("legalIds", legal.map { l in .array([obj([("value", .string(l.text)), ("schemeId", l.attribute("schemeID").map(JSONValue.string))])]) })])])))
                }
                if let address = child(child(pp, "PositionLocation"), "Address") {
                    p.append(("positionLocation", .array([obj([("postalCode", text(child(address, "PostalCode"))), ("city", text(child(address, "CityName"))),
                                                               ("countryCode", text(child(address, "CountryCode")))])])))
                }
                if let q = child(pp, "PositionQualifications") {
                    p.append(("positionQualifications", .array([.object([("positionCompetencies", .array(all(q, "PositionCompetency").map { c in
                        let id = child(c, "CompetencyID")
                        return obj([("competencyIds", id.map { i in .array([obj([("value", .string(i.text)), ("schemeId", i.attribute("schemeID").map(JSONValue.string))])]) }),
                                    ("requiredProficiencyLevel", child(child(c, "RequiredProficiencyLevel"), "ScoreText").map { s in
                                        .object([("scoresText", .array([.object([("value", .string(s.text)), ("scoreTextCode", .string("CEFR"))])]))]) })])
                    }))])])))
                }
                var posting: [(String, JSONValue?)] = [("start", text(child(area, "PublicationDate")))]
                if let close = child(pp, "ApplicationCloseDate") {
                    posting.append(("applicationMethods", .array([.object([("applicationCloseDate", .object([("end", .string(close.text))]))])])))
                }
                p.append(("postingInstructions", .array([obj(posting)])))
            }
            jsonProfiles.append(obj(p))
        }
        record.append(("positionProfiles", .array(jsonProfiles)))
        if let reason = child(area, "ClosingReasonCode") { record.append(("userArea", .object([("closingReasonCode", .string(reason.text))]))) }
        return obj(record)
    }
}
