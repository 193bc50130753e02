import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Gateway
import LedgerTestSupport
import Model
import Testing

/// Content digests are stored in every ledger (`record.content_sha256`, `routed_record`) and
/// compared with the digests of versions received later: a record's canonical JSON must not
/// change from one release to the next, or every version held would look like a conflict.
@Suite("Canonical JSON and content digests", .bounded)
struct ContentDigestTests {
    /// Generated records with every optional part present somewhere: translations, descriptions,
    /// closing reasons, languages, OGR codes and source labels, employers, ended periods, linked
    /// vacancies, and text that JSON must escape.
    static func records() -> [CanonicalRecord] {
        var generator = RecordGenerator(seed: 20_191_231)
        var records: [CanonicalRecord] = []
        let awkward = ["Quote \" and backslash \\", "tab\tnew line\ncarriage\r", "control \u{01}\u{1F} end", "éèà ß Ü 中文 😀", "slash / kept"]
        for i in 0..<240 {
            var v = generator.vacancy(origin: AgencyDirectory.profile.codes[i % AgencyDirectory.profile.codes.count], index: i)
            if i % 3 == 0 {
                v.translations = [LocalizedText(language: .german, title: generator.text(2), description: i % 2 == 0 ? nil : generator.text(5)),
                                  LocalizedText(language: LanguageCode(rawValue: "en")!, title: awkward[i % awkward.count])]
            }
            if i % 5 == 0 { v.text.title = awkward[(i / 5) % awkward.count] }
            if i % 7 == 0 { v.text.description = awkward[(i / 7) % awkward.count] + " " + generator.text(4) }
            // At most 200 characters, as the profile allows (encoders before 2026-12-04 cut a longer
            // label there; the readers now refuse it, so none is ever written).
            if i % 4 == 0 { v.occupation.sourceLabel = String((awkward[i % awkward.count] + String(repeating: "x", count: i)).prefix(200)) }
            records.append(.vacancy(v))
        }
        for i in 0..<160 {
            let agency = [Agency.vdab, .forem, .adg, .bf][i % 4]   // Actiris trains nobody
            var t = generator.trainee(agency: agency, index: i)
            if i % 4 == 0 { t.linkedVacancy = VacancyReference(originAgency: .forem, vacancyId: try! RecordID("V-\(i)")) }
            if i % 6 == 0 { t.person.lastName = awkward[i % awkward.count] }
            records.append(.trainee(t))
        }
        return records
    }

    @Test("the digests of generated records are the ones earlier releases stored")
    func stable() throws {
        var all: [UInt8] = []
        for record in Self.records() {
            all += ExchangeFormat.canonicalJSON(record)
            all.append(10)
        }
        // Recorded with the encoder of 2026-12-02 (commit ebbc2d3); a change here breaks every ledger.
        #expect(sha256Hex(all) == "370df42cca6c20eda9932c9ee78c29da827f47fc98ecc4dc5e4daf7a222ec53f")
        #expect(Self.records().map(\.contentDigest).prefix(2) == ["29cdc61dbaefc27beb12cff86116b0f42e9596fbd99b4489d7d11f7ddc4677e2",
                                                                       "862e855888999dc444f32d6131da81d156aca3a607ef9b5323506036640d6e8d"])
    }

    @Test("canonical JSON is compact, its members in their places")
    func roundTrip() throws {
        for record in Self.records() {
            let bytes = ExchangeFormat.canonicalJSON(record)
            let value = try JSONParser(reader: ByteReader(bytes: bytes)).value()
            let again = ByteWriter()
            JSONText.writeCompact(value, to: again)
            again.flush()
            #expect(again.collected == bytes, "\(record.id.rawValue): not compact, or members move")
            // The value built for the XML form is the one the canonical JSON describes.
            #expect(ExchangeFormat.profileValue(record) == value, "\(record.id.rawValue)")
        }
    }
}
