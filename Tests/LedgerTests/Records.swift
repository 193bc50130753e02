import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Ledger
import LedgerTestSupport
import Model

/// Vacancies as a receiving gateway has them after decoding: canonical records or rejections.
enum Received {
    static func vacancy(_ id: String, version: Int, title: String = "Lasser", origin: Agency = .forem) -> Decoded {
        let v = Vacancy(origin: origin, id: try! RecordID(id), version: try! RecordVersion(version), status: .open,
                        text: LocalizedText(language: .french, title: title),
                        occupation: Occupation(fiche: FicheCode(rawValue: "H2913")!, source: OccupationSource(scheme: .rome, version: "3", code: "H2913")),
                        bottleneck: true, openPositions: 1, contract: .permanent, schedule: .fullTime, hoursPerWeek: HoursPerWeek(hundredths: 3800),
                        employer: Employer(name: "Industrie Liégeoise SA", enterpriseNumber: try! EnterpriseNumber("0403170701")),
                        workplace: Workplace(postcode: try! Postcode("4000"), municipality: "Liège"),
                        publicationDate: CalendarDate(year: 2026, month: 11, day: 2)!)
        return Decoded(recordId: id, record: .vacancy(v), errors: [])
    }

    static func rejected(_ id: String) -> Decoded {
        Decoded(recordId: id, record: nil, errors: [FieldError("occupation", .unknownOccupation, "ROME fiche Z9999 does not exist in ROME v3")])
    }

    static let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    static func batch(_ id: String, body: String = "body-1", at: Date = t0, _ records: [Decoded]) -> IncomingBatch {
        IncomingBatch(batchId: id, sender: .forem, recordType: .vacancy, bodySha256: sha256Hex(Array(body.utf8)),
                      receivedAt: at, records: records, body: Array(body.utf8))
    }
}

func receipt(_ outcome: ReceiveOutcome) -> Receipt? {
    switch outcome {
    case .stored(let r, _), .replayed(let r): r
    case .conflict: nil
    }
}
