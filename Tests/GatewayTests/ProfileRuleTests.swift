import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerTestSupport
import Model
import NIOCore
import Testing

/// One batch altered to break one rule of `exchange-records.md` §1–5 (or of the envelope in
/// `exchange-protocol.md`), in the JSON form, the XML form or both, and what the receiver must
/// answer: the protocol's status for the whole batch, or the record-level code in the receipt.
struct ProfileRule: Sendable, CustomTestStringConvertible {
    enum Answer: Sendable, Equatable {
        /// The batch is refused whole with this status.
        case status(Int)
        /// The batch is taken and its one record rejected with this code (and, when given, item).
        case record(RejectionCode, field: String?)
        /// The batch is taken and its record accepted (a rule that allows something).
        case accepted
    }

    indirect enum Edit: Sendable {
        /// Sets (or adds, at the end of its object) the value at a dotted path; `+` appends to an array.
        case set(String, JSONValue)
        case remove(String)
        /// Replaces a piece of the document's text (it must occur).
        case text(String, String)
        /// Replaces everything from `from` to the end of `through` (the first of each).
        case span(from: String, through: String, String)
        case all([Edit])
    }

    var section: String
    var name: String
    var json: Edit?
    var xml: Edit?
    var answer: Answer
    var recordType: RecordType = .vacancy

    var testDescription: String { "\(section) \(name)" }

    static func vacancy(_ section: String, _ name: String, json: Edit?, xml: Edit?, _ answer: Answer) -> ProfileRule {
        ProfileRule(section: section, name: name, json: json, xml: xml, answer: answer)
    }

    static func trainee(_ section: String, _ name: String, json: Edit?, xml: Edit?, _ answer: Answer) -> ProfileRule {
        ProfileRule(section: section, name: name, json: json, xml: xml, answer: answer, recordType: .trainee)
    }
}

/// Paths into the base batches.
private let v = "records.0", p = "records.0.positionProfiles.0", t = "records.0"

private func s(_ text: String) -> JSONValue { .string(text) }
private func n(_ text: String) -> JSONValue { .number(text) }
private func r(_ code: RejectionCode, _ field: String? = nil) -> ProfileRule.Answer { .record(code, field: field) }

/// The vacancy rules (§1, §2, §5.1).
let vacancyRules: [ProfileRule] = [
    // §1 closed structure
    .vacancy("§1", "a member outside the profile at the top", json: .set("\(v).extra", n("1")),
             xml: .text("<PositionOpeningStatusCode>Closed</PositionOpeningStatusCode>", "<PositionOpeningStatusCode>Closed</PositionOpeningStatusCode><Extra>1</Extra>"),
             r(.invalidValue, "recordId")),
    .vacancy("§1", "a member outside the profile, nested", json: .set("\(p).positionLocation.0.region", s("Liège")),
             xml: .text("<Address>", "<Address region=\"Liège\">"), r(.invalidValue, "postcode")),
    .vacancy("§1", "an identifier with a member outside the profile", json: .set("\(p).jobCategories.0.id.description", s("x")),
             xml: .text("listAgencyID=\"FranceTravail\">H2913", "listAgencyID=\"FranceTravail\" listURI=\"x\">H2913"), r(.invalidValue, "occupation")),
    .vacancy("§1", "a language competency with a member outside the profile", json: .set("\(p).positionQualifications.0.positionCompetencies.0.note", s("x")),
             xml: .text("<CompetencyID schemeID=\"ISO639-1\">nl</CompetencyID>", "<CompetencyID schemeID=\"ISO639-1\">nl</CompetencyID><Note>x</Note>"),
             r(.invalidValue, "languages")),
    .vacancy("§1", "a language's level with a member outside the profile", json: .set("\(p).positionQualifications.0.positionCompetencies.0.requiredProficiencyLevel.note", s("x")),
             xml: .text("<ScoreText>B1</ScoreText>", "<ScoreText>B1</ScoreText><Note>x</Note>"), r(.invalidValue, "languages")),
    .vacancy("§1", "applicationCloseDate with a member outside the profile", json: .set("\(p).postingInstructions.0.applicationMethods.0.applicationCloseDate.start", s("2026-11-02")),
             xml: .text("<ApplicationCloseDate>", "<ApplicationCloseDate start=\"2026-11-02\">"), r(.invalidValue, "closingDate")),
    .vacancy("§1", "userArea with a member outside the profile", json: .set("\(v).userArea.note", s("x")),
             xml: .text("<be:ClosingReasonCode>FILLED</be:ClosingReasonCode>", "<be:ClosingReasonCode>FILLED</be:ClosingReasonCode><be:Note>x</be:Note>"),
             r(.invalidValue)),
    .vacancy("§1", "a member twice in one object (JSON that no reader can take)", json: .text(#""statusCode":"Closed""#, #""statusCode":"Closed","statusCode":"Closed""#),
             xml: nil, .status(400)),
    // §1 no empty values
    .vacancy("§1", "null for an optional value", json: .set("\(p).positionFormattedDescriptions", .null),
             xml: .text("<ApplicationCloseDate>2026-12-31</ApplicationCloseDate>", "<ApplicationCloseDate/>"), r(.invalidValue)),
    .vacancy("§1", "an empty string for an optional value", json: .set("\(p).jobCategories.2.name", s("")),
             xml: .text("name=\"Soudeur\"", "name=\"\""), r(.invalidValue, "occupation")),
    .vacancy("§1", "an empty string for a required value", json: .set("\(p).positionTitle", s("")),
             xml: .text("<PositionTitle>Soudeur / Soudeuse</PositionTitle>", "<PositionTitle/>"), r(.missingField, "title")),
    .vacancy("§1", "null for a required value", json: .set("\(v).statusCode", .null), xml: nil, r(.missingField, "status")),
    .vacancy("§1", "an empty array", json: .set("\(p).positionQualifications", .array([])),
             xml: .span(from: "<PositionQualifications>", through: "</PositionQualifications>", "<PositionQualifications/>"), r(.invalidValue, "languages")),
    .vacancy("§1", "an empty object", json: .set("\(p).positionLocation.0", .object([])),
             xml: .span(from: "<Address>", through: "</Address>", "<Address/>"), r(.missingField, "postcode")),
    .vacancy("§1", "white space at a string's end", json: .set("\(p).positionTitle", s("Soudeur / Soudeuse ")),
             xml: .text(">Soudeur / Soudeuse<", ">Soudeur / Soudeuse <"), r(.invalidValue, "title")),
    .vacancy("§1", "white space at a string's start", json: .set("\(p).positionLocation.0.city", s("\nLiège")),
             xml: .text("<oa:CityName>Liège", "<oa:CityName>\n  Liège"), r(.invalidValue, "municipality")),
    // §1 dates
    .vacancy("§1", "a date not written YYYY-MM-DD", json: .set("\(p).postingInstructions.0.start", s("02/11/2026")),
             xml: .text("<be:PublicationDate>2026-11-02", "<be:PublicationDate>02/11/2026"), r(.invalidDate, "publicationDate")),
    .vacancy("§1", "a date that is not a real day", json: .set("\(p).postingInstructions.0.start", s("2026-02-30")),
             xml: .text("<be:PublicationDate>2026-11-02", "<be:PublicationDate>2026-02-30"), r(.invalidDate, "publicationDate")),
    .vacancy("§1", "a date with a time", json: .set("\(p).postingInstructions.0.start", s("2026-11-02T00:00:00Z")),
             xml: .text("<be:PublicationDate>2026-11-02", "<be:PublicationDate>2026-11-02T00:00:00Z"), r(.invalidDate, "publicationDate")),
    // §1 free text
    .vacancy("§1", "a control character written as a JSON escape", json: .text("Soudeur / Soudeuse", #"Soudeur \u0001 Soudeuse"#), xml: nil, r(.invalidValue, "title")),
    .vacancy("§1", "a control character as a character reference (not XML 1.0)", json: nil,
             xml: .text(">Soudeur / Soudeuse<", ">Soudeur &#1; Soudeuse<"), .status(400)),
    .vacancy("§1", "U+FFFE in a text", json: .set("\(p).positionFormattedDescriptions.0.content", s("Soudure \u{FFFE}")), xml: nil, r(.invalidValue, "description")),
    .vacancy("§1", "U+FFFE in an XML text (not XML 1.0)", json: nil, xml: .text("Soudure TIG &amp; MIG", "Soudure \u{FFFE} TIG"), .status(400)),
    .vacancy("§1", "a lone surrogate written as a JSON escape", json: .text("Soudeur / Soudeuse", #"Soudeur \ud800 Soudeuse"#), xml: nil, r(.invalidValue, "title")),
    .vacancy("§1", "a raw control character (not JSON, not XML)", json: .text("Soudeur / Soudeuse", "Soudeur \u{01} Soudeuse"),
             xml: .text(">Soudeur / Soudeuse<", ">Soudeur \u{01} Soudeuse<"), .status(400)),
    .vacancy("§1", "free text with &, <, accents, emoji and line breaks is carried", json: .set("\(p).positionFormattedDescriptions.0.content", s("A & B < C\néèà 😀\nfin")),
             xml: .text("Soudure TIG &amp; MIG sur acier inoxydable.", "A &amp; B &lt; C\néèà 😀\nfin"), .accepted),
    // §1 identity, identifier form, version, agency codes
    .vacancy("§1", "a vacancy id starting with another character", json: .set("\(v).documentId.value", s("-FO-1")),
             xml: .text(">FO-4481236</DocumentID>", ">-FO-1</DocumentID>"), r(.invalidValue, "recordId")),
    .vacancy("§1", "a vacancy id of 65 characters", json: .set("\(v).documentId.value", s(String(repeating: "F", count: 65))),
             xml: .text(">FO-4481236</DocumentID>", ">\(String(repeating: "F", count: 65))</DocumentID>"), r(.invalidValue, "recordId")),
    .vacancy("§1", "a vacancy id with a space", json: .set("\(v).documentId.value", s("FO 1")),
             xml: .text(">FO-4481236</DocumentID>", ">FO 1</DocumentID>"), r(.invalidValue, "recordId")),
    .vacancy("§1", "version 0", json: .set("\(v).alternateIds.0.value", s("0")),
             xml: .text("<be:RecordVersion>2<", "<be:RecordVersion>0<"), r(.invalidValue, "version")),
    .vacancy("§1", "a version with a leading zero", json: .set("\(v).alternateIds.0.value", s("02")),
             xml: .text("<be:RecordVersion>2<", "<be:RecordVersion>02<"), r(.invalidValue, "version")),
    .vacancy("§1", "an origin agency outside the list", json: .set("\(v).documentId.schemeAgencyId", s("NAV")),
             xml: .text("schemeAgencyID=\"FOREM\"", "schemeAgencyID=\"NAV\""), r(.invalidValue, "originAgency")),
    // §1 occupation pivot
    .vacancy("§1", "a fiche code of another form", json: .set("\(p).jobCategories.0.id.value", s("Z9999")),
             xml: .text("FranceTravail\">H2913", "FranceTravail\">Z9999"), r(.invalidValue, "occupation")),
    .vacancy("§1", "a fiche ROME v3 does not have", json: .set("\(p).jobCategories.0.id.value", s("N9999")),
             xml: .text("FranceTravail\">H2913", "FranceTravail\">N9999"), r(.unknownOccupation, "occupation")),
    .vacancy("§1", "an appellation of another form", json: .set("\(p).jobCategories.1.id.value", s("1947")),
             xml: .text(">19475<", ">1947<"), r(.invalidValue, "occupationAppellation")),
    .vacancy("§1", "an appellation of another fiche", json: .set("\(p).jobCategories.1.id.value", s("10944")),
             xml: .text(">19475<", ">10944<"), r(.occupationMismatch, "occupationAppellation")),
    // §1 enterprise number
    .vacancy("§1", "an enterprise number with wrong check digits", json: .set("\(p).positionOrganizations.0.legalIds.0.value", s("0403170702")),
             xml: .text(">0403170701<", ">0403170702<"), r(.invalidEnterpriseNumber, "enterpriseNumber")),
    .vacancy("§1", "an enterprise number with dots", json: .set("\(p).positionOrganizations.0.legalIds.0.value", s("0403.170.701")),
             xml: .text(">0403170701<", ">0403.170.701<"), r(.invalidEnterpriseNumber, "enterpriseNumber")),
    .vacancy("§1", "an enterprise number with the BE prefix", json: .set("\(p).positionOrganizations.0.legalIds.0.value", s("BE0403170701")),
             xml: .text(">0403170701<", ">BE0403170701<"), r(.invalidEnterpriseNumber, "enterpriseNumber")),
    .vacancy("§1", "an enterprise number starting with 2", json: .set("\(p).positionOrganizations.0.legalIds.0.value", s("2403170743")),
             xml: .text(">0403170701<", ">2403170743<"), r(.invalidEnterpriseNumber, "enterpriseNumber")),

    // §2.1 fields
    .vacancy("§2", "documentId.schemeId other than vacancyId", json: .set("\(v).documentId.schemeId", s("jobId")),
             xml: .text("schemeID=\"vacancyId\"", "schemeID=\"jobId\""), r(.invalidValue, "recordId")),
    .vacancy("§2", "an origin other than the sender", json: .all([.set("\(v).documentId.schemeAgencyId", s("VDAB")), .set("\(v).alternateIds.0.schemeAgencyId", s("VDAB")),
                                                                   .set("\(p).jobCategories.2.id.schemeAgencyId", s("VDAB"))]),
             xml: .all([.text("schemeAgencyID=\"FOREM\"", "schemeAgencyID=\"VDAB\""), .text("listAgencyID=\"FOREM\"", "listAgencyID=\"VDAB\"")]), r(.invalidValue, "originAgency")),
    .vacancy("§2", "a version written as a number", json: .set("\(v).alternateIds.0.value", n("2")), xml: nil, r(.invalidValue, "version")),
    .vacancy("§2", "two alternate ids", json: .set("\(v).alternateIds.+", .object([("value", s("3")), ("schemeId", s("version")), ("schemeAgencyId", s("FOREM"))])),
             xml: .text("<be:RecordVersion>2</be:RecordVersion>", "<be:RecordVersion>2</be:RecordVersion><be:RecordVersion>3</be:RecordVersion>"), r(.invalidValue, "version")),
    .vacancy("§2", "alternateIds[0].schemeId other than version", json: .set("\(v).alternateIds.0.schemeId", s("revision")), xml: nil, r(.invalidValue, "version")),
    .vacancy("§2", "alternateIds[0].schemeAgencyId other than the origin", json: .set("\(v).alternateIds.0.schemeAgencyId", s("VDAB")), xml: nil, r(.invalidValue, "version")),
    .vacancy("§2", "a statusCode the profile does not use", json: .set("\(v).statusCode", s("OnHold")),
             xml: .text(">Closed</PositionOpeningStatusCode>", ">OnHold</PositionOpeningStatusCode>"), r(.invalidValue, "status")),
    .vacancy("§2", "Closed without a closing reason", json: .remove("\(v).userArea"),
             xml: .text("<be:ClosingReasonCode>FILLED</be:ClosingReasonCode>", ""), r(.missingField, "status")),
    .vacancy("§2", "Active with a closing reason", json: .set("\(v).statusCode", s("Active")),
             xml: .text(">Closed</PositionOpeningStatusCode>", ">Active</PositionOpeningStatusCode>"), r(.invalidValue, "status")),
    .vacancy("§2", "a closing reason outside the list", json: .set("\(v).userArea.closingReasonCode", s("SOLD")),
             xml: .text(">FILLED<", ">SOLD<"), r(.invalidValue, "status")),
    .vacancy("§2", "a title of 201 characters", json: .set("\(p).positionTitle", s(String(repeating: "é", count: 201))),
             xml: .text(">Soudeur / Soudeuse<", ">\(String(repeating: "é", count: 201))<"), r(.invalidValue, "title")),
    .vacancy("§2", "no title", json: .remove("\(p).positionTitle"), xml: .text("<PositionTitle>Soudeur / Soudeuse</PositionTitle>", ""), r(.missingField, "title")),
    .vacancy("§2", "a title language other than nl, fr, de", json: .set("\(p).language", s("en")),
             xml: .text("languageCode=\"fr\"", "languageCode=\"en\""), r(.invalidValue, "title")),
    .vacancy("§2", "a description of 20,001 characters", json: .set("\(p).positionFormattedDescriptions.0.content", s(String(repeating: "x", count: 20_001))),
             xml: .text("Soudure TIG &amp; MIG sur acier inoxydable.", String(repeating: "x", count: 20_001)), r(.invalidValue, "description")),
    .vacancy("§2", "two descriptions", json: .set("\(p).positionFormattedDescriptions.+", .object([("content", s("Encore."))])),
             xml: .text("<Content>Soudure TIG", "<Content>Encore.</Content><Content>Soudure TIG"), r(.invalidValue, "description")),
    .vacancy("§2", "a description with a member besides content", json: .set("\(p).positionFormattedDescriptions.0.contentType", s("text/plain")),
             xml: .text("<Content>Soudure TIG", "<Content type=\"text/plain\">Soudure TIG"), r(.invalidValue, "description")),
    .vacancy("§2", "one job category", json: .all([.remove("\(p).jobCategories.2"), .remove("\(p).jobCategories.1")]),
             xml: .all([.text("<JobCategoryCode listName=\"ROME-OGR\" listVersionID=\"3\" listAgencyID=\"FranceTravail\">19475</JobCategoryCode>", ""),
                        .text("<JobCategoryCode listName=\"ROME\" listVersionID=\"3\" listAgencyID=\"FOREM\" name=\"Soudeur\">H2913</JobCategoryCode>", "")]),
             r(.invalidValue, "occupation")),
    .vacancy("§2", "four job categories", json: .set("\(p).jobCategories.+", .object([("id", .object([("value", s("H2913")), ("schemeId", s("ROME")),
                                                                                                      ("schemeVersionId", s("3")), ("schemeAgencyId", s("FOREM"))]))])),
             xml: .text("name=\"Soudeur\">H2913</JobCategoryCode>", "name=\"Soudeur\">H2913</JobCategoryCode><JobCategoryCode listName=\"ROME\" listVersionID=\"3\" listAgencyID=\"FOREM\">H2913</JobCategoryCode>"),
             r(.invalidValue, "occupation")),
    .vacancy("§2", "the pivot in another scheme", json: .set("\(p).jobCategories.0.id.schemeId", s("ISCO2008")),
             xml: .text("listName=\"ROME\" listVersionID=\"3\" listAgencyID=\"FranceTravail\"", "listName=\"ISCO2008\" listVersionID=\"3\" listAgencyID=\"FranceTravail\""),
             r(.invalidValue, "occupation")),
    .vacancy("§2", "the pivot in another version", json: .set("\(p).jobCategories.0.id.schemeVersionId", s("4.0")),
             xml: .text("listName=\"ROME\" listVersionID=\"3\" listAgencyID=\"FranceTravail\"", "listName=\"ROME\" listVersionID=\"4.0\" listAgencyID=\"FranceTravail\""),
             r(.invalidValue, "occupation")),
    .vacancy("§2", "the pivot from another agency", json: .set("\(p).jobCategories.0.id.schemeAgencyId", s("Pole-emploi")),
             xml: .text("listName=\"ROME\" listVersionID=\"3\" listAgencyID=\"FranceTravail\"", "listName=\"ROME\" listVersionID=\"3\" listAgencyID=\"Pole-emploi\""),
             r(.invalidValue, "occupation")),
    .vacancy("§2", "the appellation in another scheme", json: .set("\(p).jobCategories.1.id.schemeId", s("OGR")),
             xml: .text("listName=\"ROME-OGR\"", "listName=\"OGR\""), r(.invalidValue, "occupation")),
    .vacancy("§2", "a source scheme other than COMPETENT or ROME", json: .set("\(p).jobCategories.2.id.schemeId", s("ISCO2008")),
             xml: .text("listName=\"ROME\" listVersionID=\"3\" listAgencyID=\"FOREM\"", "listName=\"ISCO2008\" listVersionID=\"3\" listAgencyID=\"FOREM\""),
             r(.invalidValue, "occupationSource")),
    .vacancy("§2", "a source code of another form", json: .set("\(p).jobCategories.2.id.value", s("H 2913")),
             xml: .text("name=\"Soudeur\">H2913<", "name=\"Soudeur\">H 2913<"), r(.invalidValue, "occupationSource")),
    .vacancy("§2", "a source version of 17 characters", json: .set("\(p).jobCategories.2.id.schemeVersionId", s(String(repeating: "3", count: 17))),
             xml: .text("listVersionID=\"3\" listAgencyID=\"FOREM\"", "listVersionID=\"\(String(repeating: "3", count: 17))\" listAgencyID=\"FOREM\""),
             r(.invalidValue, "occupationSource")),
    .vacancy("§2", "a source from another agency than the origin", json: .set("\(p).jobCategories.2.id.schemeAgencyId", s("VDAB")),
             xml: .text("listAgencyID=\"FOREM\"", "listAgencyID=\"VDAB\""), r(.invalidValue, "occupation")),
    .vacancy("§2", "a category label of 201 characters", json: .set("\(p).jobCategories.2.name", s(String(repeating: "l", count: 201))),
             xml: .text("name=\"Soudeur\"", "name=\"\(String(repeating: "l", count: 201))\""), r(.invalidValue, "occupation")),
    .vacancy("§2", "a bottleneck value other than \"true\" or \"false\"", json: .set("\(p).positionClassification.extendedPositionClassifications.1.value", s("yes")),
             xml: .text(">true</be:BottleneckOccupation>", ">yes</be:BottleneckOccupation>"), r(.invalidValue, "bottleneck")),
    .vacancy("§2", "a classification of another country", json: .set("\(p).positionClassification.extendedPositionClassifications.0.countryCode", s("FR")),
             xml: nil, r(.invalidValue, "contractType")),
    .vacancy("§2", "no bottleneck classification", json: .set("\(p).positionClassification.extendedPositionClassifications.1.name", s("contractType")),
             xml: .text("<be:BottleneckOccupation>true</be:BottleneckOccupation>", ""), r(.invalidValue)),
    .vacancy("§2", "a contract type outside the list", json: .set("\(p).positionClassification.extendedPositionClassifications.0.value", s("FREELANCE")),
             xml: .text(">PERMANENT<", ">FREELANCE<"), r(.invalidValue, "contractType")),
    .vacancy("§2", "an offering type that does not match the contract", json: .set("\(p).positionOfferingTypes.0", s("Temporary")),
             xml: .text(">DirectHire<", ">Temporary<"), r(.invalidValue, "contractType")),
    .vacancy("§2", "two offering types", json: .set("\(p).positionOfferingTypes.+", s("Contract")),
             xml: .text("<PositionOfferingTypeCode>DirectHire</PositionOfferingTypeCode>",
                        "<PositionOfferingTypeCode>DirectHire</PositionOfferingTypeCode><PositionOfferingTypeCode>Contract</PositionOfferingTypeCode>"),
             r(.invalidValue, "contractType")),
    .vacancy("§2", "no open position", json: .set("\(p).positionOpenQuantity", n("0")),
             xml: .text("<PositionOpenQuantity>2<", "<PositionOpenQuantity>0<"), r(.invalidValue, "openPositions")),
    .vacancy("§2", "open positions as a string", json: .set("\(p).positionOpenQuantity", s("2")),
             xml: .text("<PositionOpenQuantity>2<", "<PositionOpenQuantity>two<"), r(.invalidValue, "openPositions")),
    .vacancy("§2", "open positions not whole", json: .set("\(p).positionOpenQuantity", n("2.5")),
             xml: .text("<PositionOpenQuantity>2<", "<PositionOpenQuantity>2.5<"), r(.invalidValue, "openPositions")),
    .vacancy("§2", "a schedule outside the list", json: .set("\(p).positionScheduleTypeCodes.0", s("Flexible")),
             xml: .text(">FullTime<", ">Flexible<"), r(.invalidValue, "schedule")),
    .vacancy("§2", "two schedules", json: .set("\(p).positionScheduleTypeCodes.+", s("PartTime")),
             xml: .text("<PositionScheduleTypeCode>FullTime</PositionScheduleTypeCode>",
                        "<PositionScheduleTypeCode>FullTime</PositionScheduleTypeCode><PositionScheduleTypeCode>PartTime</PositionScheduleTypeCode>"),
             r(.invalidValue, "schedule")),
    .vacancy("§2", "0 hours a week", json: .set("\(p).workingPeriods.0.workDuration.value", n("0")),
             xml: .text("<be:HoursPerWeek>38<", "<be:HoursPerWeek>0<"), r(.invalidValue, "hoursPerWeek")),
    .vacancy("§2", "61 hours a week", json: .set("\(p).workingPeriods.0.workDuration.value", n("61")),
             xml: .text("<be:HoursPerWeek>38<", "<be:HoursPerWeek>61<"), r(.invalidValue, "hoursPerWeek")),
    .vacancy("§2", "hours with three decimals", json: .set("\(p).workingPeriods.0.workDuration.value", n("38.125")),
             xml: .text("<be:HoursPerWeek>38<", "<be:HoursPerWeek>38.125<"), r(.invalidValue, "hoursPerWeek")),
    .vacancy("§2", "hours as a string", json: .set("\(p).workingPeriods.0.workDuration.value", s("38")),
             xml: .text("<be:HoursPerWeek>38<", "<be:HoursPerWeek>38,0<"), r(.invalidValue, "hoursPerWeek")),
    .vacancy("§2", "hours in another unit", json: .set("\(p).workingPeriods.0.workDuration.unitCode", s("MIN")), xml: nil, r(.invalidValue, "hoursPerWeek")),
    .vacancy("§2", "a base duration other than one week", json: .set("\(p).workingPeriods.0.baseDuration.value", n("2")), xml: nil, r(.invalidValue, "hoursPerWeek")),
    .vacancy("§2", "a base duration in days", json: .set("\(p).workingPeriods.0.baseDuration.unitCode", s("DAY")), xml: nil, r(.invalidValue, "hoursPerWeek")),
    .vacancy("§2", "no employer name", json: .remove("\(p).positionOrganizations.0.name"),
             xml: .text("<OrganizationName>Industrie Liégeoise SA</OrganizationName>", ""), r(.missingField, "employerName")),
    .vacancy("§2", "an employer name of 201 characters", json: .set("\(p).positionOrganizations.0.name", s(String(repeating: "E", count: 201))),
             xml: .text(">Industrie Liégeoise SA<", ">\(String(repeating: "E", count: 201))<"), r(.invalidValue, "employerName")),
    .vacancy("§2", "two organisations", json: .set("\(p).positionOrganizations.+", .object([("name", s("Autre SA"))])),
             xml: .text("</PositionOrganization>", "</PositionOrganization><PositionOrganization/>"), r(.invalidValue, "employerName")),
    .vacancy("§2", "a legal id in another scheme", json: .set("\(p).positionOrganizations.0.legalIds.0.schemeId", s("VAT")),
             xml: .text("schemeID=\"KBO-BCE\"", "schemeID=\"VAT\""), r(.invalidValue, "enterpriseNumber")),
    .vacancy("§2", "two legal ids", json: .set("\(p).positionOrganizations.0.legalIds.+", .object([("value", s("0403170701")), ("schemeId", s("KBO-BCE"))])),
             xml: .text("0403170701</OrganizationLegalID>", "0403170701</OrganizationLegalID><OrganizationLegalID schemeID=\"KBO-BCE\">0403170701</OrganizationLegalID>"),
             r(.invalidValue, "enterpriseNumber")),
    .vacancy("§2", "a postcode of another form", json: .set("\(p).positionLocation.0.postalCode", s("0999")),
             xml: .text("<oa:PostalCode>4000<", "<oa:PostalCode>0999<"), r(.invalidPostcode, "postcode")),
    .vacancy("§2", "a postcode of five digits", json: .set("\(p).positionLocation.0.postalCode", s("40000")),
             xml: .text("<oa:PostalCode>4000<", "<oa:PostalCode>40000<"), r(.invalidPostcode, "postcode")),
    .vacancy("§2", "a municipality of 101 characters", json: .set("\(p).positionLocation.0.city", s(String(repeating: "L", count: 101))),
             xml: .text("<oa:CityName>Liège<", "<oa:CityName>\(String(repeating: "L", count: 101))<"), r(.invalidValue, "municipality")),
    .vacancy("§2", "a workplace outside Belgium", json: .set("\(p).positionLocation.0.countryCode", s("FR")),
             xml: .text("<CountryCode>BE<", "<CountryCode>FR<"), r(.invalidValue, "country")),
    .vacancy("§2", "two locations", json: .set("\(p).positionLocation.+", .object([("postalCode", s("4020")), ("city", s("Liège")), ("countryCode", s("BE"))])),
             xml: .text("</PositionLocation>", "</PositionLocation><PositionLocation/>"), r(.invalidValue, "postcode")),
    .vacancy("§2", "a language outside ISO 639-1", json: .set("\(p).positionQualifications.0.positionCompetencies.0.competencyIds.0.value", s("zz")),
             xml: .text(">nl</CompetencyID>", ">zz</CompetencyID>"), r(.invalidValue, "languages")),
    .vacancy("§2", "a language in upper case", json: .set("\(p).positionQualifications.0.positionCompetencies.0.competencyIds.0.value", s("NL")),
             xml: .text(">nl</CompetencyID>", ">NL</CompetencyID>"), r(.invalidValue, "languages")),
    .vacancy("§2", "a language twice", json: .set("\(p).positionQualifications.0.positionCompetencies.+", .object([
                ("competencyIds", .array([.object([("value", s("nl")), ("schemeId", s("ISO639-1"))])])),
                ("requiredProficiencyLevel", .object([("scoresText", .array([.object([("value", s("C1")), ("scoreTextCode", s("CEFR"))])]))]))])),
             xml: .text("</PositionCompetency>", "</PositionCompetency><PositionCompetency><CompetencyID schemeID=\"ISO639-1\">nl</CompetencyID><RequiredProficiencyLevel><ScoreText>C1</ScoreText></RequiredProficiencyLevel></PositionCompetency>"),
             r(.invalidValue, "languages")),
    .vacancy("§2", "a language code scheme other than ISO639-1", json: .set("\(p).positionQualifications.0.positionCompetencies.0.competencyIds.0.schemeId", s("ISO639-2")),
             xml: .text("schemeID=\"ISO639-1\"", "schemeID=\"ISO639-2\""), r(.invalidValue, "languages")),
    .vacancy("§2", "a level in lower case", json: .set("\(p).positionQualifications.0.positionCompetencies.0.requiredProficiencyLevel.scoresText.0.value", s("b1")),
             xml: .text("<ScoreText>B1<", "<ScoreText>b1<"), r(.invalidValue, "languages")),
    .vacancy("§2", "a level outside CEFR", json: .set("\(p).positionQualifications.0.positionCompetencies.0.requiredProficiencyLevel.scoresText.0.value", s("D1")),
             xml: .text("<ScoreText>B1<", "<ScoreText>D1<"), r(.invalidValue, "languages")),
    .vacancy("§2", "a level in another scale", json: .set("\(p).positionQualifications.0.positionCompetencies.0.requiredProficiencyLevel.scoresText.0.scoreTextCode", s("ILR")),
             xml: nil, r(.invalidValue, "languages")),
    .vacancy("§2", "21 languages", json: .set("\(p).positionQualifications.0.positionCompetencies", .array(
                ["nl", "fr", "de", "en", "es", "it", "pt", "pl", "ro", "tr", "ar", "ru", "uk", "zh", "ja", "ko", "hi", "sv", "da", "fi", "el"].map { code in
                    .object([("competencyIds", .array([.object([("value", s(code)), ("schemeId", s("ISO639-1"))])])),
                             ("requiredProficiencyLevel", .object([("scoresText", .array([.object([("value", s("A2")), ("scoreTextCode", s("CEFR"))])]))]))])
                })),
             xml: nil, r(.invalidValue, "languages")),
    .vacancy("§2", "two qualification items", json: .set("\(p).positionQualifications.+", .object([("positionCompetencies", .array([]))])),
             xml: .text("</PositionQualifications>", "</PositionQualifications><PositionQualifications/>"), r(.invalidValue, "languages")),
    .vacancy("§2", "no publication date", json: .remove("\(p).postingInstructions.0.start"),
             xml: .text("<be:PublicationDate>2026-11-02</be:PublicationDate>", ""), r(.missingField, "publicationDate")),
    .vacancy("§2", "a closing date before the publication date", json: .set("\(p).postingInstructions.0.applicationMethods.0.applicationCloseDate.end", s("2026-11-01")),
             xml: .text(">2026-12-31<", ">2026-11-01<"), r(.invalidDate, "closingDate")),
    .vacancy("§2", "two application methods", json: .set("\(p).postingInstructions.0.applicationMethods.+", .object([("applicationCloseDate", .object([("end", s("2026-12-30"))]))])),
             xml: .text("<ApplicationCloseDate>2026-12-31</ApplicationCloseDate>", "<ApplicationCloseDate>2026-12-31</ApplicationCloseDate><ApplicationCloseDate>2026-12-30</ApplicationCloseDate>"),
             r(.invalidValue, "closingDate")),
    .vacancy("§2", "two posting instructions", json: .set("\(p).postingInstructions.+", .object([("start", s("2026-11-03"))])), xml: nil, r(.invalidValue, "publicationDate")),
    // §2.3 translation profiles
    .vacancy("§2.3", "four position profiles", json: .all([.set("\(v).positionProfiles.+", .object([("language", s("de")), ("positionTitle", s("Schweißer"))])),
                                                           .set("\(v).positionProfiles.+", .object([("language", s("de")), ("positionTitle", s("Schweißer"))]))]),
             xml: .text("</PositionProfile>\n      <UserArea>", "</PositionProfile><PositionProfile languageCode=\"de\"><PositionTitle>Schweißer</PositionTitle></PositionProfile><PositionProfile languageCode=\"de\"><PositionTitle>Schweißer</PositionTitle></PositionProfile>\n      <UserArea>"),
             r(.invalidValue, "title")),
    .vacancy("§2.3", "a translation in the main profile's language", json: .set("records.0.positionProfiles.1.language", s("fr")),
             xml: .text("languageCode=\"nl\"", "languageCode=\"fr\""), r(.invalidValue, "title")),
    .vacancy("§2.3", "a translation profile with content beyond title and description", json: .set("records.0.positionProfiles.1.positionOpenQuantity", n("2")),
             xml: .text("<PositionTitle>Lasser</PositionTitle>", "<PositionTitle>Lasser</PositionTitle><PositionOpenQuantity>2</PositionOpenQuantity>"), r(.invalidValue, "title")),

    // §5.1 the XML form's own rules
    .vacancy("§5.1", "an element in a foreign namespace", json: nil,
             xml: .text("<PositionTitle>Soudeur / Soudeuse</PositionTitle>", "<x:PositionTitle xmlns:x=\"urn:other\">Soudeur / Soudeuse</x:PositionTitle>"), r(.invalidValue, "title")),
    .vacancy("§5.1", "an address part outside OAGIS", json: nil,
             xml: .text("<oa:PostalCode>4000</oa:PostalCode>", "<PostalCode>4000</PostalCode>"), r(.invalidValue, "postcode")),
    .vacancy("§5.1", "a UserArea item outside the profile's namespace", json: nil,
             xml: .text("<be:HoursPerWeek>38</be:HoursPerWeek>", "<HoursPerWeek>38</HoursPerWeek>"), r(.invalidValue, "hoursPerWeek")),
    .vacancy("§5.1", "children out of the table's order", json: nil,
             xml: .all([.text("<PositionOpeningStatusCode>Closed</PositionOpeningStatusCode>", ""),
                        .text("</UserArea>", "</UserArea><PositionOpeningStatusCode>Closed</PositionOpeningStatusCode>")]), r(.invalidValue, "status")),
    .vacancy("§5.1", "an element given twice", json: nil,
             xml: .text("<PositionTitle>Soudeur / Soudeuse</PositionTitle>", "<PositionTitle>Soudeur / Soudeuse</PositionTitle><PositionTitle>Soudeur</PositionTitle>"),
             r(.invalidValue, "title")),
    .vacancy("§5.1", "no majorVersionID", json: nil, xml: .text(" majorVersionID=\"3\"", ""), r(.missingField, "recordId")),
    .vacancy("§5.1", "another minorVersionID", json: nil, xml: .text("minorVersionID=\"2\"", "minorVersionID=\"1\""), r(.invalidValue, "recordId")),
    .vacancy("§5.1", "a PositionOpening outside the HR-XML 3 namespace", json: nil,
             xml: .text("<PositionOpening xmlns=\"http://www.hr-xml.org/3\"", "<PositionOpening xmlns=\"http://www.hr-xml.org/2\""), r(.invalidValue, "recordId")),
    .vacancy("§5.1", "an attribute in another namespace", json: nil,
             xml: .text("majorVersionID=\"3\"", "majorVersionID=\"3\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"x\""), r(.invalidValue, "recordId")),
    .vacancy("§5.1", "text beside elements", json: nil, xml: .text("<PositionLocation>", "<PositionLocation>Liège"), r(.invalidValue, "postcode")),
    .vacancy("§5.1", "elements inside a text element", json: nil,
             xml: .text("<PositionTitle>Soudeur / Soudeuse</PositionTitle>", "<PositionTitle><b>Soudeur</b></PositionTitle>"), r(.invalidValue, "title")),
    .vacancy("§5.1", "no UserArea", json: nil, xml: .span(from: "<UserArea>", through: "</UserArea>", ""), r(.missingField)),
]

/// The trainee rules (§1, §3, §5.2).
let traineeRules: [ProfileRule] = [
    .trainee("§1", "a member outside the profile at the top", json: .set("\(t).extra", n("1")),
             xml: .text("<Status>COMPLETED</Status>", "<Status>COMPLETED</Status><Extra>1</Extra>"), r(.invalidValue, "recordId")),
    .trainee("§1", "a member outside the profile in person", json: .set("\(t).person.nationality", s("BE")),
             xml: .text("<Gender>F</Gender>", "<Gender>F</Gender><Nationality>BE</Nationality>"), r(.invalidValue, "nationalNumber")),
    .trainee("§1", "null for an optional value", json: .set("\(t).period.actualEnd", .null), xml: nil, r(.invalidValue, "period")),
    .trainee("§1", "an empty string for an optional value", json: .set("\(t).scheme.nativeName", s("")),
             xml: .text("<NativeName>PFI</NativeName>", "<NativeName/>"), r(.invalidValue, "scheme")),
    .trainee("§1", "an empty object", json: .set("\(t).linkedVacancy", .object([])),
             xml: .span(from: "<LinkedVacancy>", through: "</LinkedVacancy>", "<LinkedVacancy/>"), r(.missingField, "linkedVacancy")),
    .trainee("§1", "white space at a name's end", json: .set("\(t).person.lastName", s("Dubois ")),
             xml: .text("<LastName>Dubois<", "<LastName>Dubois <"), r(.invalidValue, "lastName")),
    .trainee("§1", "a control character in a name, escaped", json: .text("Dubois", #"Du\u001Fbois"#), xml: nil, r(.invalidValue, "lastName")),
    .trainee("§1", "a record id not in the identifier form", json: .set("\(t).recordId", s("PFI 2026")),
             xml: .text("<RecordId>PFI-2026-5521<", "<RecordId>PFI 2026<"), r(.invalidValue, "recordId")),
    .trainee("§1", "a national number with wrong check digits", json: .set("\(t).person.nationalNumber", s("85073100329")),
             xml: .text(">85073100328<", ">85073100329<"), r(.invalidNationalNumber, "nationalNumber")),
    .trainee("§1", "a national number with separators", json: .set("\(t).person.nationalNumber", s("85.07.31-003.28")),
             xml: .text(">85073100328<", ">85.07.31-003.28<"), r(.invalidNationalNumber, "nationalNumber")),
    .trainee("§1", "an enterprise number with dots", json: .set("\(t).employer.enterpriseNumber", s("0403.170.701")),
             xml: .text(">0403170701<", ">0403.170.701<"), r(.invalidEnterpriseNumber, "enterpriseNumber")),
    .trainee("§1", "an enterprise number with the BE prefix", json: .set("\(t).employer.enterpriseNumber", s("BE0403170701")),
             xml: .text(">0403170701<", ">BE0403170701<"), r(.invalidEnterpriseNumber, "enterpriseNumber")),
    .trainee("§1", "an enterprise number with wrong check digits", json: .set("\(t).employer.enterpriseNumber", s("0403170702")),
             xml: .text(">0403170701<", ">0403170702<"), r(.invalidEnterpriseNumber, "enterpriseNumber")),
    .trainee("§1", "a birth date that is not a real day", json: .set("\(t).person.birthDate", s("1985-02-30")),
             xml: .text("<BirthDate>1985-07-31<", "<BirthDate>1985-02-30<"), r(.invalidDate, "birthDate")),
    // §3 fields
    .trainee("§3", "version 0", json: .set("\(t).recordVersion", n("0")), xml: .text("<RecordVersion>1<", "<RecordVersion>0<"), r(.invalidValue, "version")),
    .trainee("§3", "a version written as a string", json: .set("\(t).recordVersion", s("1")),
             xml: .text("<RecordVersion>1<", "<RecordVersion>one<"), r(.invalidValue, "version")),
    .trainee("§3", "a version not whole", json: .set("\(t).recordVersion", n("1.0")), xml: .text("<RecordVersion>1<", "<RecordVersion>1.0<"), r(.invalidValue, "version")),
    .trainee("§3", "a referring agency outside the list", json: .set("\(t).referringAgency", s("UWV")),
             xml: .text("<ReferringAgency>VDAB<", "<ReferringAgency>UWV<"), r(.invalidValue, "referringAgency")),
    .trainee("§3", "a training agency other than the sender", json: .all([.set("\(t).trainingAgency", s("BF")), .set("\(t).scheme.nativeName", s("FPI"))]),
             xml: .all([.text("<TrainingAgency>FOREM<", "<TrainingAgency>BF<"), .text("<NativeName>PFI<", "<NativeName>FPI<")]), r(.invalidValue, "trainingAgency")),
    .trainee("§3", "a last name of 101 characters", json: .set("\(t).person.lastName", s(String(repeating: "D", count: 101))),
             xml: .text("<LastName>Dubois<", "<LastName>\(String(repeating: "D", count: 101))<"), r(.invalidValue, "lastName")),
    .trainee("§3", "no first name", json: .remove("\(t).person.firstName"), xml: .text("<FirstName>Marie-Hélène</FirstName>", ""), r(.missingField, "firstName")),
    .trainee("§3", "a gender outside the list", json: .set("\(t).person.gender", s("V")), xml: .text("<Gender>F<", "<Gender>V<"), r(.invalidValue, "gender")),
    .trainee("§3", "a scheme type outside the list", json: .set("\(t).scheme.type", s("ONLINE")), xml: .text("<Type>IN_COMPANY<", "<Type>ONLINE<"), r(.invalidValue, "scheme")),
    .trainee("§3", "an in-company scheme without its native name", json: .remove("\(t).scheme.nativeName"),
             xml: .text("<NativeName>PFI</NativeName>", ""), r(.missingField, "scheme")),
    .trainee("§3", "another agency's native scheme name", json: .set("\(t).scheme.nativeName", s("IBO")),
             xml: .text("<NativeName>PFI<", "<NativeName>IBO<"), r(.invalidValue, "scheme")),
    .trainee("§3", "a centre training with a native name", json: .all([.set("\(t).scheme.type", s("CENTRE")), .remove("\(t).employer")]),
             xml: .all([.text("<Type>IN_COMPANY<", "<Type>CENTRE<"), .span(from: "<Employer>", through: "</Employer>", "")]), r(.invalidValue, "scheme")),
    .trainee("§3", "a centre training with an employer", json: .all([.set("\(t).scheme.type", s("CENTRE")), .remove("\(t).scheme.nativeName")]),
             xml: .all([.text("<Type>IN_COMPANY<", "<Type>CENTRE<"), .text("<NativeName>PFI</NativeName>", "")]), r(.invalidValue, "employerName")),
    .trainee("§3", "an in-company training without its employer", json: .remove("\(t).employer"),
             xml: .span(from: "<Employer>", through: "</Employer>", ""), r(.missingField, "employerName")),
    .trainee("§3", "an employer name of 201 characters", json: .set("\(t).employer.name", s(String(repeating: "E", count: 201))),
             xml: .text("<Name>Industrie Liégeoise SA<", "<Name>\(String(repeating: "E", count: 201))<"), r(.invalidValue, "employerName")),
    .trainee("§3", "a fiche code of another form", json: .set("\(t).occupation.romeCode", s("H291")),
             xml: .text("<RomeCode>H2913<", "<RomeCode>H291<"), r(.invalidValue, "occupation")),
    .trainee("§3", "a fiche ROME v3 does not have", json: .set("\(t).occupation.romeCode", s("N9999")),
             xml: .text("<RomeCode>H2913<", "<RomeCode>N9999<"), r(.unknownOccupation, "occupation")),
    .trainee("§3", "a source scheme other than COMPETENT or ROME", json: .set("\(t).occupation.source.scheme", s("ISCO2008")),
             xml: .text("<Scheme>ROME<", "<Scheme>ISCO2008<"), r(.invalidValue, "occupationSource")),
    .trainee("§3", "a source version of 17 characters", json: .set("\(t).occupation.source.version", s(String(repeating: "3", count: 17))),
             xml: .text("<Version>3<", "<Version>\(String(repeating: "3", count: 17))<"), r(.invalidValue, "occupationSource")),
    .trainee("§3", "no source", json: .remove("\(t).occupation.source"), xml: .span(from: "<Source>", through: "</Source>", ""), r(.missingField, "occupationSource")),
    .trainee("§3", "a planned end before the start", json: .set("\(t).period.plannedEnd", s("2026-01-11")),
             xml: .text("<PlannedEnd>2026-06-30<", "<PlannedEnd>2026-01-11<"), r(.invalidDate, "period")),
    .trainee("§3", "an actual end before the start", json: .set("\(t).period.actualEnd", s("2026-01-11")),
             xml: .text("<ActualEnd>2026-06-26<", "<ActualEnd>2026-01-11<"), r(.invalidDate, "period")),
    .trainee("§3", "a completed training without its actual end", json: .remove("\(t).period.actualEnd"),
             xml: .text("<ActualEnd>2026-06-26</ActualEnd>", ""), r(.missingField, "period")),
    .trainee("§3", "a started training with an actual end", json: .set("\(t).status", s("STARTED")),
             xml: .text("<Status>COMPLETED<", "<Status>STARTED<"), r(.invalidValue, "period")),
    .trainee("§3", "a status outside the list", json: .set("\(t).status", s("DONE")), xml: .text("<Status>COMPLETED<", "<Status>DONE<"), r(.invalidValue, "status")),
    .trainee("§3", "a linked vacancy without its id", json: .remove("\(t).linkedVacancy.vacancyId"),
             xml: .text("<VacancyId>FO-4481236</VacancyId>", ""), r(.missingField, "linkedVacancy")),
    .trainee("§3", "a linked vacancy of an agency outside the list", json: .set("\(t).linkedVacancy.originAgency", s("UWV")),
             xml: .text("<OriginAgency>FOREM<", "<OriginAgency>UWV<"), r(.invalidValue, "linkedVacancy")),
    .trainee("§3", "a linked vacancy id not in the identifier form", json: .set("\(t).linkedVacancy.vacancyId", s("FO 4481236")),
             xml: .text("<VacancyId>FO-4481236<", "<VacancyId>FO 4481236<"), r(.invalidValue, "linkedVacancy")),
    // §5.2 the XML form's own rules
    .trainee("§5.2", "an attribute", json: nil, xml: .text("<RecordId>", "<RecordId type=\"dossier\">"), r(.invalidValue, "recordId")),
    .trainee("§5.2", "an element outside the exchange namespace", json: nil,
             xml: .text("<Status>COMPLETED</Status>", "<Status xmlns=\"urn:other\">COMPLETED</Status>"), r(.invalidValue, "status")),
    .trainee("§5.2", "children out of the §3 order", json: nil,
             xml: .all([.text("<Status>COMPLETED</Status>", ""), .text("<RecordId>", "<Status>COMPLETED</Status><RecordId>")]), r(.invalidValue)),
]

/// The envelope's rules (§4, §5; `exchange-protocol.md`): the batch refused whole.
/// The clarifications of 2026-12-07 (`exchange-protocol.md`, rules 5–12), each with what an
/// independent implementation's serialiser writes: taken where the rule allows it, refused where it
/// does not.
let clarifiedRules: [ProfileRule] = [
    // 6: the receiver checks the pivot and the appellation, never the source code again
    .vacancy("rule 6", "a source code that this gateway's table reads as another fiche", json: .set("\(p).jobCategories.2.id.value", s("M1805")),
             xml: .text("name=\"Soudeur\">H2913<", "name=\"Soudeur\">M1805<"), .accepted),
    .vacancy("rule 6", "a Competent version this gateway does not know", json: .all([.set("\(p).jobCategories.2.id.schemeId", s("COMPETENT")),
                                                                                  .set("\(p).jobCategories.2.id.schemeVersionId", s("2024"))]),
             xml: .text("listName=\"ROME\" listVersionID=\"3\" listAgencyID=\"FOREM\"", "listName=\"COMPETENT\" listVersionID=\"2024\" listAgencyID=\"FOREM\""), .accepted),
    .vacancy("rule 6", "a ROME 4.0 source that this gateway maps to another fiche (M1811 under pivot M1805)",
             json: .all([.set("\(p).jobCategories.0.id.value", s("M1805")), .set("\(p).jobCategories.2.id.schemeVersionId", s("4.0")),
                         .set("\(p).jobCategories.2.id.value", s("M1811")), .remove("\(p).jobCategories.1")]),
             xml: .all([.text("FranceTravail\">H2913", "FranceTravail\">M1805"),
                        .text("<JobCategoryCode listName=\"ROME-OGR\" listVersionID=\"3\" listAgencyID=\"FranceTravail\">19475</JobCategoryCode>", ""),
                        .text("listVersionID=\"3\" listAgencyID=\"FOREM\" name=\"Soudeur\">H2913<", "listVersionID=\"4.0\" listAgencyID=\"FOREM\" name=\"Soudeur\">M1811<")]),
             .accepted),
    .vacancy("rule 6", "a source version this gateway cannot name at all", json: .set("\(p).jobCategories.2.id.schemeVersionId", s("5")),
             xml: .text("listVersionID=\"3\" listAgencyID=\"FOREM\"", "listVersionID=\"5\" listAgencyID=\"FOREM\""), .accepted),
    .trainee("rule 6", "a source code that this gateway's table reads as another fiche", json: .set("\(t).occupation.source.code", s("M1805")),
             xml: .text("<Code>H2913<", "<Code>M1805<"), .accepted),
    .trainee("rule 6", "a Competent version this gateway does not know", json: .all([.set("\(t).occupation.source.scheme", s("COMPETENT")),
                                                                                  .set("\(t).occupation.source.version", s("2024"))]),
             xml: .all([.text("<Scheme>ROME<", "<Scheme>COMPETENT<"), .text("<Version>3<", "<Version>2024<")]), .accepted),
    // 8: numbers are values
    .vacancy("rule 8", "hours written 38.500", json: .set("\(p).workingPeriods.0.workDuration.value", n("38.500")),
             xml: .text("<be:HoursPerWeek>38<", "<be:HoursPerWeek>38.500<"), .accepted),
    .vacancy("rule 8", "hours written 3.8e1", json: .set("\(p).workingPeriods.0.workDuration.value", n("3.8e1")), xml: nil, .accepted),
    .vacancy("rule 8", "hours written 380E-1", json: .set("\(p).workingPeriods.0.workDuration.value", n("380E-1")), xml: nil, .accepted),
    .vacancy("rule 8", "hours written 38.0", json: .set("\(p).workingPeriods.0.workDuration.value", n("38.0")),
             xml: .text("<be:HoursPerWeek>38<", "<be:HoursPerWeek>38.0<"), .accepted),
    .vacancy("rule 8", "hours 38.25 written 3825e-2", json: .set("\(p).workingPeriods.0.workDuration.value", n("3825e-2")), xml: nil, .accepted),
    .vacancy("rule 8", "still: hours with a third decimal, in any spelling (3.8125e1)", json: .set("\(p).workingPeriods.0.workDuration.value", n("3.8125e1")),
             xml: nil, r(.invalidValue, "hoursPerWeek")),
    .vacancy("rule 8", "still: hours of 0 written -0.0", json: .set("\(p).workingPeriods.0.workDuration.value", n("-0.0")),
             xml: .text("<be:HoursPerWeek>38<", "<be:HoursPerWeek>-0.0<"), r(.invalidValue, "hoursPerWeek")),
    .vacancy("rule 8", "still: hours of 6.1e1", json: .set("\(p).workingPeriods.0.workDuration.value", n("6.1e1")), xml: nil, r(.invalidValue, "hoursPerWeek")),
    .vacancy("rule 8", "still: hours of 1e400", json: .set("\(p).workingPeriods.0.workDuration.value", n("1e400")), xml: nil, r(.invalidValue, "hoursPerWeek")),
    .vacancy("rule 8", "a base duration written 1.0", json: .set("\(p).workingPeriods.0.baseDuration.value", n("1.0")), xml: nil, .accepted),
    .vacancy("rule 8", "a base duration written 1e0", json: .set("\(p).workingPeriods.0.baseDuration.value", n("1e0")), xml: nil, .accepted),
    .vacancy("rule 8", "still: a base duration of 1.5", json: .set("\(p).workingPeriods.0.baseDuration.value", n("1.5")), xml: nil, r(.invalidValue, "hoursPerWeek")),
    .vacancy("rule 8", "still: open positions written 2.0 (an integer in the profile)", json: .set("\(p).positionOpenQuantity", n("2.0")), xml: nil,
             r(.invalidValue, "openPositions")),
    // 12: what is refused whole, and what is not
    .vacancy("rule 12", "a UTF-8 byte-order mark before the JSON body", json: .text(#"{"profile""#, "\u{FEFF}{\"profile\""), xml: nil, .accepted),
    .vacancy("rule 12", "a UTF-8 byte-order mark before the XML body", json: nil, xml: .text("<?xml", "\u{FEFF}<?xml"), .accepted),
    .vacancy("rule 12", "still: two byte-order marks", json: .text(#"{"profile""#, "\u{FEFF}\u{FEFF}{\"profile\""), xml: nil, .status(400)),
    .vacancy("rule 12", "still: a DOCTYPE", json: nil, xml: .text("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><!DOCTYPE x>"),
             .status(400)),
]

let envelopeRules: [ProfileRule] = [
    .vacancy("§4", "no profile", json: .remove("profile"), xml: .text(" profile=\"be-pes-exchange/1\"", ""), .status(400)),
    .vacancy("§4", "another profile", json: .set("profile", s("be-pes-exchange/2")),
             xml: .text("profile=\"be-pes-exchange/1\"", "profile=\"be-pes-exchange/2\""), .status(422)),
    .vacancy("§4", "no batch id", json: .remove("batchId"), xml: .text(" batchId=\"0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77\"", ""), .status(400)),
    .vacancy("§4", "a batch id in upper case", json: .set("batchId", s("0B4F5C9E-3A51-4F7E-9D0C-1F1E6A0D2B77")),
             xml: .text("0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77", "0B4F5C9E-3A51-4F7E-9D0C-1F1E6A0D2B77"), .status(400)),
    .vacancy("§4", "the nil UUID as batch id", json: .set("batchId", s("00000000-0000-0000-0000-000000000000")),
             xml: .text("0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77", "00000000-0000-0000-0000-000000000000"), .status(400)),
    .vacancy("§4", "a batch id of another variant", json: .set("batchId", s("0b4f5c9e-3a51-4f7e-1d0c-1f1e6a0d2b77")),
             xml: .text("0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77", "0b4f5c9e-3a51-4f7e-1d0c-1f1e6a0d2b77"), .status(400)),
    .vacancy("§4", "a sender outside the list", json: .set("sender", s("UWV")), xml: .text("sender=\"FOREM\"", "sender=\"UWV\""), .status(400)),
    .vacancy("§4", "the receiver is the sender", json: .set("receiver", s("FOREM")), xml: .text("receiver=\"VDAB\"", "receiver=\"FOREM\""), .status(400)),
    .vacancy("§4", "a receiver other than this gateway", json: .set("receiver", s("ACTIRIS")), xml: .text("receiver=\"VDAB\"", "receiver=\"ACTIRIS\""), .status(422)),
    .vacancy("§4", "a record type outside the list", json: .set("recordType", s("job")), xml: .text("recordType=\"vacancy\"", "recordType=\"job\""), .status(400)),
    .vacancy("§4", "no createdAt", json: .remove("createdAt"), xml: .text(" createdAt=\"2026-11-20T06:00:00Z\"", ""), .status(400)),
    .vacancy("§4", "createdAt without an offset", json: .set("createdAt", s("2026-11-20T06:00:00")),
             xml: .text("2026-11-20T06:00:00Z", "2026-11-20T06:00:00"), .status(400)),
    .vacancy("§4", "createdAt a date only", json: .set("createdAt", s("2026-11-20")), xml: .text("2026-11-20T06:00:00Z", "2026-11-20"), .status(400)),
    .vacancy("§4", "createdAt not a real instant", json: .set("createdAt", s("2026-13-20T06:00:00Z")),
             xml: .text("2026-11-20T06:00:00Z", "2026-13-20T06:00:00Z"), .status(400)),
    .vacancy("§4", "createdAt with an offset", json: .set("createdAt", s("2026-11-20T07:00:00+01:00")),
             xml: .text("2026-11-20T06:00:00Z", "2026-11-20T07:00:00+01:00"), .accepted),
    .vacancy("§4", "no taxonomy", json: .remove("taxonomy"), xml: .text("<Taxonomy scheme=\"ROME\" version=\"3\"/>", ""), .status(400)),
    .vacancy("§4", "another taxonomy", json: .set("taxonomy", .object([("scheme", s("ISCO")), ("version", s("08"))])),
             xml: .text("<Taxonomy scheme=\"ROME\" version=\"3\"/>", "<Taxonomy scheme=\"ISCO\" version=\"08\"/>"), .status(422)),
    .vacancy("§4", "a taxonomy with a member outside the profile", json: .set("taxonomy.edition", s("2021")),
             xml: .text("<Taxonomy scheme=\"ROME\" version=\"3\"/>", "<Taxonomy scheme=\"ROME\" version=\"3\" edition=\"2021\"/>"), .status(400)),
    .vacancy("§4", "a taxonomy version as a number", json: .set("taxonomy.version", n("3")), xml: nil, .status(400)),
    .vacancy("§4", "a taxonomy twice", json: nil,
             xml: .text("<Taxonomy scheme=\"ROME\" version=\"3\"/>", "<Taxonomy scheme=\"ROME\" version=\"3\"/><Taxonomy scheme=\"ROME\" version=\"3\"/>"), .status(400)),
    .vacancy("§4", "resubmissionOf not a UUID", json: .set("resubmissionOf", s("not-a-uuid")),
             xml: .text("recordType=\"vacancy\"", "recordType=\"vacancy\" resubmissionOf=\"not-a-uuid\""), .status(400)),
    .vacancy("§4", "resubmissionOf naming the batch itself", json: .set("resubmissionOf", s("0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77")),
             xml: .text("recordType=\"vacancy\"", "recordType=\"vacancy\" resubmissionOf=\"0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77\""), .status(400)),
    .vacancy("§4", "resubmissionOf naming another batch", json: .set("resubmissionOf", s("5d2c8e71-9b3f-4c0a-8e6d-2a7b1c9f4e10")),
             xml: .text("recordType=\"vacancy\"", "recordType=\"vacancy\" resubmissionOf=\"5d2c8e71-9b3f-4c0a-8e6d-2a7b1c9f4e10\""), .accepted),
    .vacancy("§4", "a member outside the envelope", json: .text("{\"profile\"", "{\"priority\":\"high\",\"profile\""),
             xml: .text("recordType=\"vacancy\"", "recordType=\"vacancy\" priority=\"high\""), .status(400)),
    .vacancy("§4", "a member outside the envelope after the records", json: .set("priority", s("high")),
             xml: .text("</Records>", "</Records><Priority>high</Priority>"), .status(400)),
    .vacancy("§4", "no record", json: .set("records", .array([])), xml: .span(from: "<Records>", through: "</Records>", "<Records/>"), .status(400)),
    .vacancy("§4", "records of another type", json: nil,
             xml: .text("recordType=\"vacancy\"", "recordType=\"trainee\""), .status(400)),
    .vacancy("§5", "text directly inside the envelope", json: nil, xml: .text("<Records>", "hello<Records>"), .status(400)),
    .vacancy("§5", "an envelope in another namespace", json: nil,
             xml: .text("<ExchangeBatch xmlns=\"urn:be:pes:exchange:1\"", "<ExchangeBatch xmlns=\"urn:be:pes:exchange:2\""), .status(400)),
    .vacancy("§5", "an envelope attribute in another namespace", json: nil,
             xml: .text("recordType=\"vacancy\"", "recordType=\"vacancy\" xmlns:x=\"urn:x\" x:note=\"n\""), .status(400)),
    // Member order has no meaning (Clarifications): sorted keys, the envelope after the records.
    .vacancy("§4", "members in sorted order, as Python's sort_keys and Go's maps write them", json: .text("", ""), xml: nil, .accepted),
    .vacancy("§4", "the envelope after the records", json: .text("", ""), xml: nil, .accepted),
    .vacancy("§5", "Taxonomy after Records", json: nil,
             xml: .all([.text("<Taxonomy scheme=\"ROME\" version=\"3\"/>", ""), .text("</Records>", "</Records><Taxonomy scheme=\"ROME\" version=\"3\"/>")]), .accepted),
    .trainee("§4", "a trainee batch in sorted order", json: .text("", ""), xml: nil, .accepted),
]

// One case at a time: 364 cases at once would hold both cooperative threads, and the suites that time
// processes (faults, kills) would see their sleeps overshoot.
@Suite("Every profile rule, broken once, in each form: the status or record code the specifications give", .bounded, .serialized)
struct ProfileRuleTests {
    static let baseBatchId = "0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77"

    static let vacancyJSON = #"""
        {"profile":"be-pes-exchange/1","batchId":"0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77","sender":"FOREM","receiver":"VDAB","recordType":"vacancy","createdAt":"2026-11-20T06:00:00Z","taxonomy":{"scheme":"ROME","version":"3"},"records":[{"documentId":{"value":"FO-4481236","schemeId":"vacancyId","schemeAgencyId":"FOREM"},"alternateIds":[{"value":"2","schemeId":"version","schemeAgencyId":"FOREM"}],"statusCode":"Closed","positionProfiles":[{"language":"fr","positionTitle":"Soudeur / Soudeuse","positionFormattedDescriptions":[{"content":"Soudure TIG & MIG sur acier inoxydable."}],"jobCategories":[{"id":{"value":"H2913","schemeId":"ROME","schemeVersionId":"3","schemeAgencyId":"FranceTravail"}},{"id":{"value":"19475","schemeId":"ROME-OGR","schemeVersionId":"3","schemeAgencyId":"FranceTravail"}},{"id":{"value":"H2913","schemeId":"ROME","schemeVersionId":"3","schemeAgencyId":"FOREM"},"name":"Soudeur"}],"positionClassification":{"extendedPositionClassifications":[{"countryCode":"BE","name":"contractType","value":"PERMANENT"},{"countryCode":"BE","name":"bottleneckOccupation","value":"true"}]},"positionOpenQuantity":2,"positionOfferingTypes":["DirectHire"],"positionScheduleTypeCodes":["FullTime"],"workingPeriods":[{"workDuration":{"value":38,"unitCode":"HUR"},"baseDuration":{"value":1,"unitCode":"WEE"}}],"positionOrganizations":[{"name":"Industrie Liégeoise SA","legalIds":[{"value":"0403170701","schemeId":"KBO-BCE"}]}],"positionLocation":[{"postalCode":"4000","city":"Liège","countryCode":"BE"}],"positionQualifications":[{"positionCompetencies":[{"competencyIds":[{"value":"nl","schemeId":"ISO639-1"}],"requiredProficiencyLevel":{"scoresText":[{"value":"B1","scoreTextCode":"CEFR"}]}}]}],"postingInstructions":[{"start":"2026-11-02","applicationMethods":[{"applicationCloseDate":{"end":"2026-12-31"}}]}]},{"language":"nl","positionTitle":"Lasser","positionFormattedDescriptions":[{"content":"TIG- en MIG-lassen."}]}],"userArea":{"closingReasonCode":"FILLED"}}]}
        """#

    static let traineeJSON = #"""
        {"profile":"be-pes-exchange/1","batchId":"0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77","sender":"FOREM","receiver":"VDAB","recordType":"trainee","createdAt":"2026-11-20T06:00:00Z","taxonomy":{"scheme":"ROME","version":"3"},"records":[{"recordId":"PFI-2026-5521","recordVersion":1,"referringAgency":"VDAB","trainingAgency":"FOREM","person":{"nationalNumber":"85073100328","lastName":"Dubois","firstName":"Marie-Hélène","birthDate":"1985-07-31","gender":"F"},"scheme":{"type":"IN_COMPANY","nativeName":"PFI"},"occupation":{"romeCode":"H2913","source":{"scheme":"ROME","version":"3","code":"H2913"}},"employer":{"enterpriseNumber":"0403170701","name":"Industrie Liégeoise SA"},"period":{"start":"2026-01-12","plannedEnd":"2026-06-30","actualEnd":"2026-06-26"},"status":"COMPLETED","linkedVacancy":{"originAgency":"FOREM","vacancyId":"FO-4481236"}}]}
        """#

    /// The same batches in the XML form, as this gateway writes them.
    static func xml(of json: String, _ type: RecordType) throws -> String {
        let out = ByteWriter()
        _ = try Translator(source: ExchangeFormat(form: .json, recordType: type), target: ExchangeFormat(form: .xml, recordType: type),
                           taxonomy: Translation.taxonomy, envelope: EnvelopeFields(receiver: .vdab, batchId: baseBatchId))
            .translate(ByteReader(bytes: Array(json.utf8)), into: out, now: Date(timeIntervalSince1970: 1_795_154_400))   // 2026-11-20T06:00:00Z
        out.flush()
        return String(decoding: out.collected, as: UTF8.self)
    }

    static func apply(_ edit: ProfileRule.Edit, toText text: String) throws -> String {
        switch edit {
        case .text(let find, let replace):
            guard find.isEmpty || text.contains(find) else { throw RuleError("the base document has no \(find.prefix(80))") }
            return find.isEmpty ? text : text.replacingOccurrences(of: find, with: replace, options: [], range: text.range(of: find))
        case .span(let from, let through, let replace):
            guard let start = text.range(of: from), let end = text.range(of: through, range: start.lowerBound..<text.endIndex) else {
                throw RuleError("the base document has no span \(from) … \(through)")
            }
            return text.replacingCharacters(in: start.lowerBound..<end.upperBound, with: replace)
        case .all(let edits):
            var text = text
            for e in edits { text = try apply(e, toText: text) }
            return text
        case .set, .remove:
            return text   // applied to the value, before the text
        }
    }

    static func apply(_ edit: ProfileRule.Edit, toJSON value: JSONValue) throws -> JSONValue {
        switch edit {
        case .set(let path, let new): return try update(value, path.split(separator: ".")[...]) { _ in new }
        case .remove(let path): return try update(value, path.split(separator: ".")[...]) { _ in nil }
        case .all(let edits):
            var value = value
            for e in edits where !Self.isText(e) { value = try apply(e, toJSON: value) }
            return value
        case .text, .span: return value
        }
    }

    static func isText(_ edit: ProfileRule.Edit) -> Bool {
        switch edit {
        case .text, .span: true
        case .all(let edits): edits.allSatisfy(isText)
        case .set, .remove: false
        }
    }

    static func update(_ value: JSONValue, _ path: ArraySlice<Substring>, _ change: (JSONValue?) -> JSONValue?) throws -> JSONValue {
        guard let step = path.first else { return value }
        let rest = path.dropFirst()
        switch value {
        case .object(var members):
            if let i = members.firstIndex(where: { $0.0 == step }) {
                if rest.isEmpty {
                    if let new = change(members[i].1) { members[i].1 = new } else { members.remove(at: i) }
                } else {
                    members[i].1 = try update(members[i].1, rest, change)
                }
            } else if rest.isEmpty, let new = change(nil) {
                members.append((String(step), new))
            } else {
                throw RuleError("no member \(step)")
            }
            return .object(members)
        case .array(var items):
            if step == "+", rest.isEmpty, let new = change(nil) { items.append(new); return .array(items) }
            guard let i = Int(step), items.indices.contains(i) else { throw RuleError("no item \(step)") }
            if rest.isEmpty {
                if let new = change(items[i]) { items[i] = new } else { items.remove(at: i) }
            } else {
                items[i] = try update(items[i], rest, change)
            }
            return .array(items)
        default:
            throw RuleError("\(step): not an object or array")
        }
    }

    /// A JSON value written compact, members sorted (as `sort_keys=True` writes them).
    static func sorted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members): .object(members.map { ($0.0, sorted($0.1)) }.sorted { $0.0 < $1.0 })
        case .array(let items): .array(items.map(sorted))
        default: value
        }
    }

    static func text(_ value: JSONValue) -> String {
        let out = ByteWriter()
        JSONText.writeCompact(value, to: out)
        out.flush()
        return String(decoding: out.collected, as: UTF8.self)
    }

    /// The altered batch for a rule in one form, with a batch id of its own.
    static func body(_ rule: ProfileRule, form: BatchForm) throws -> [UInt8] {
        let base = rule.recordType == .vacancy ? vacancyJSON : traineeJSON
        var document: String
        switch form {
        case .json:
            var value = try JSONParser(reader: ByteReader(bytes: Array(base.utf8))).value()
            value = try apply(rule.json!, toJSON: value)
            if rule.name.hasPrefix("members in sorted order") || rule.name.hasSuffix("in sorted order") { value = sorted(value) }
            if rule.name == "the envelope after the records", case .object(let members) = value {
                value = .object(members.filter { $0.0 == "records" } + members.filter { $0.0 != "records" })
            }
            document = try apply(rule.json!, toText: text(value))
        case .xml:
            document = try apply(rule.xml!, toText: try xml(of: base, rule.recordType))
        }
        return Array(document.replacingOccurrences(of: baseBatchId, with: UUID().uuidString.lowercased()).utf8)
    }

    struct RuleError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Posts the body to VDAB's receiving routes (a SQLite ledger of its own) as Le Forem.
    static func answer(_ body: [UInt8], form: BatchForm) async throws -> (status: Int, receipt: Receipt?, detail: String) {
        let f = ReceivingFixture()
        let forem = f.forem
        let result = try await f.application().test(.router) { client in
            let response = try await client.execute(uri: "/exchange/v1/batches", method: .post,
                                                    headers: ReceivingFixture.headers(forem, as: "FOREM", body: body, contentType: form == .json ? "application/json" : "application/xml"),
                                                    body: ByteBuffer(bytes: body))
            let text = String(buffer: response.body)
            return (Int(response.status.code), response.status == .ok ? try? JSONDecoder().decode(Receipt.self, from: Data(text.utf8)) : nil, text)
        }
        withExtendedLifetime(f) {}
        return result
    }

    static func check(_ rule: ProfileRule, form: BatchForm) async throws {
        let body = try body(rule, form: form)
        let (status, receipt, detail) = try await answer(body, form: form)
        switch rule.answer {
        case .status(let expected):
            #expect(status == expected, "\(detail.prefix(400))")
        case .accepted:
            #expect(status == 200, "\(detail.prefix(400))")
            #expect(receipt?.counts.accepted == 1, "\(detail.prefix(400))")
        case .record(let code, let field):
            #expect(status == 200, "\(detail.prefix(400))")
            #expect(receipt?.counts.rejected == 1, "\(detail.prefix(400))")
            #expect(receipt?.rejected.first?.code == code.rawValue, "\(detail.prefix(600))")
            if let field { #expect(receipt?.rejected.first?.field == field, "\(detail.prefix(600))") }
        }
    }

    @Test("the base batches are valid, in both forms", arguments: [RecordType.vacancy, .trainee], [BatchForm.json, .xml])
    func base(_ type: RecordType, _ form: BatchForm) async throws {
        let json = type == .vacancy ? Self.vacancyJSON : Self.traineeJSON
        let body = form == .json ? Array(json.utf8) : Array(try Self.xml(of: json, type).utf8)
        let (status, receipt, detail) = try await Self.answer(body, form: form)
        #expect(status == 200 && receipt?.counts.accepted == 1, "\(detail)")
    }

    @Test("JSON form", arguments: (vacancyRules + traineeRules + envelopeRules + clarifiedRules).filter { $0.json != nil })
    func json(_ rule: ProfileRule) async throws {
        try await Self.check(rule, form: .json)
    }

    @Test("XML form", arguments: (vacancyRules + traineeRules + envelopeRules + clarifiedRules).filter { $0.xml != nil })
    func xml(_ rule: ProfileRule) async throws {
        try await Self.check(rule, form: .xml)
    }

    /// The base vacancy twice in one batch: as it is, then with its second occurrence's version set
    /// to `second` (nil: the same record again).
    static func twice(_ form: BatchForm, second: String?) throws -> [UInt8] {
        var text: String
        if form == .json {
            var value = try JSONParser(reader: ByteReader(bytes: Array(Self.vacancyJSON.utf8))).value()
            var record = try #require(value["records"].flatMap { if case .array(let a) = $0 { a.first } else { nil } })
            if let second { record = try Self.update(record, ["alternateIds", "0", "value"]) { _ in .string(second) } }
            value = try Self.update(value, ["records", "+"]) { _ in record }
            text = Self.text(value)
        } else {
            text = try Self.xml(of: Self.vacancyJSON, .vacancy)
            let start = try #require(text.range(of: "<PositionOpening ")), end = try #require(text.range(of: "</PositionOpening>"))
            var copy = String(text[start.lowerBound..<end.upperBound])
            if let second { copy = copy.replacingOccurrences(of: "<be:RecordVersion>2<", with: "<be:RecordVersion>\(second)<") }
            text.insert(contentsOf: copy, at: end.upperBound)
        }
        return Array(text.replacingOccurrences(of: Self.baseBatchId, with: UUID().uuidString.lowercased()).utf8)
    }

    @Test("rule 5: one record twice in a batch is decided in batch order by the version rule, never refused as a repeat",
          arguments: [BatchForm.json, .xml])
    func twice(_ form: BatchForm) async throws {
        // The same version again: a duplicate.
        var (status, receipt, detail) = try await Self.answer(try Self.twice(form, second: nil), form: form)
        #expect(status == 200, "\(detail)")
        #expect(receipt?.counts == .init(records: 2, accepted: 1, duplicates: 1, rejected: 0), "\(detail)")
        // v2 then v3: both taken, the peer is on v3.
        (status, receipt, detail) = try await Self.answer(try Self.twice(form, second: "3"), form: form)
        #expect(status == 200 && receipt?.counts == .init(records: 2, accepted: 2, duplicates: 0, rejected: 0), "\(detail)")
        // v2 then v1: the second is stale, the first taken.
        (status, receipt, detail) = try await Self.answer(try Self.twice(form, second: "1"), form: form)
        #expect(status == 200 && receipt?.counts == .init(records: 2, accepted: 1, duplicates: 0, rejected: 1), "\(detail)")
        #expect(receipt?.rejected.first?.index == 1 && receipt?.rejected.first?.code == "STALE_VERSION", "\(detail)")
    }

    @Test("the language list is HR Open's LanguageCodeList, two-letter codes", .enabled(if: Project.sharedDataAvailable, Project.skipMessage))
    func languageList() throws {
        let path = Project.sharedData.appendingPathComponent("hropen/common/json/codelist/LanguageCodeList.json").path
        let list = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        let codes = (list["enum"] as! [String]).filter { $0.utf8.count == 2 && $0 == $0.lowercased() }
        #expect(Set(codes) == LanguageCode.iso639_1)
    }
}
