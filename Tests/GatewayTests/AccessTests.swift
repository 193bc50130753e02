import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import Model
import Testing

/// Who may do what (issue 10, Access): a peer posts only the record types its pair agreed and sees
/// only its own receipts and manifest; a stats token reads statistics and nothing else; a trainee
/// batch's payload needs the trainee-payloads grant on top of the operator role.
@Suite("Access: peers, stats tokens, operators and their grants", .bounded, .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
struct AccessTests {
    static let vacancies = "0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77", trainees = "3d9a1c2b-7e4f-4a60-9b8c-1d2e3f4a5b6c"

    /// Le Forem's fixture trainees as an exchange batch for VDAB.
    static func traineeBatch(_ id: String, sender: Agency = .forem) throws -> [UInt8] {
        let out = ByteWriter()
        _ = try Translator(source: Translation.catalog.format("forem", type: .trainee)!, target: Translation.catalog.format("exchange-json", type: .trainee)!,
                           taxonomy: Translation.taxonomy, envelope: EnvelopeFields(receiver: .vdab, batchId: id))
            .translate(ByteReader(bytes: try Translation.fixture("forem/trainees.xml")), into: out)
        return out.collected
    }

    /// VDAB's gateway holding one vacancy and one trainee batch from Le Forem.
    static func served() async throws -> ServedGateway {
        let served = try await ServedGateway(operators: [("stella", .stats, []), ("rita", .read, []), ("otto", .operator, []),
                                                   ("greta", .operator, [.traineePayloads])])
        #expect(try await served.signed("POST", "/exchange/v1/batches", as: "FOREM", body: try ReceivingFixture.batch(batchId: vacancies)).status == 200)
        #expect(try await served.signed("POST", "/exchange/v1/batches", as: "FOREM", body: try traineeBatch(trainees)).status == 200)
        return served
    }

    @Test("a peer sees its own receipts and manifest only, and posts only the record types of its pair")
    func peers() async throws {
        let served = try await Self.served()
        defer { served.gateway.kill() }
        let window = "?since=2000-01-01T00:00:00Z&until=2100-01-01T00:00:00Z"
        let forem = try await served.signed("GET", "/exchange/v1/manifest" + window, as: "FOREM")
        #expect(forem.status == 200 && forem.text.contains(Self.vacancies) && forem.text.contains(Self.trainees))
        let actiris = try await served.signed("GET", "/exchange/v1/manifest" + window, as: "ACTIRIS")
        #expect(actiris.status == 200 && !actiris.text.contains(Self.vacancies) && !actiris.text.contains(Self.trainees), "\(actiris.text)")
        #expect(try await served.signed("GET", "/exchange/v1/batches/\(Self.vacancies)/receipt", as: "FOREM").status == 200)
        let other = try await served.signed("GET", "/exchange/v1/batches/\(Self.vacancies)/receipt", as: "ACTIRIS")
        #expect(other.status == 404 && !other.text.contains("bodySha256"))
        // Actiris and VDAB exchange trainees only: a vacancy batch from Actiris is refused whole.
        let text = String(decoding: try ReceivingFixture.batch(batchId: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"), as: UTF8.self)
            .replacingOccurrences(of: "\"sender\": \"FOREM\"", with: "\"sender\": \"ACTIRIS\"")
        let refused = try await served.signed("POST", "/exchange/v1/batches", as: "ACTIRIS", body: Array(text.utf8))
        #expect(refused.status == 403 && refused.text.contains("Record type not allowed"), "\(refused.status) \(refused.text)")
    }

    @Test("a stats token reads statistics and the dashboard, and cannot list, resubmit, repair or read payloads")
    func statsToken() async throws {
        let served = try await Self.served()
        defer { served.gateway.kill() }
        let stella = served.tokens["stella"]!
        #expect(try await served.call("GET", "/stats/vacancies?by=origin", token: stella).status == 200)
        #expect(try await served.call("GET", "/dashboard", token: stella).status == 200)
        for (method, path, body) in [("GET", "/admin/v1/batches", nil), ("GET", "/admin/v1/batches/\(Self.vacancies)", nil),
                                     ("POST", "/admin/v1/batches/\(Self.vacancies)/resubmit", #"{"reason": "try"}"#),
                                     ("POST", "/admin/v1/resubmissions", #"{"failed": true, "reason": "try"}"#),
                                     ("POST", "/admin/v1/reconciliations", #"{"peer": "FOREM", "since": "2026-01-01T00:00:00Z", "repair": true, "reason": "try"}"#),
                                     ("GET", "/admin/v1/batches/\(Self.vacancies)/payload?direction=in", nil)] as [(String, String, String?)] {
            let answer = try await served.call(method, path, token: stella, body: body)
            #expect(answer.status == 403 && answer.text.contains("Token not allowed"), "\(method) \(path): \(answer.status) \(answer.text)")
        }
        #expect(try await served.call("GET", "/stats/vacancies", token: nil).status == 401)
        #expect(try await served.call("GET", "/stats/vacancies", token: "not-a-token").status == 401)
    }

    @Test("a trainee batch's payload needs the trainee-payloads grant; a vacancy batch's the operator role; every read and every refusal is audited")
    func payloads() async throws {
        let served = try await Self.served()
        defer { served.gateway.kill() }
        let vacancy = "/admin/v1/batches/\(Self.vacancies)/payload?direction=in", trainee = "/admin/v1/batches/\(Self.trainees)/payload?direction=in"
        #expect(try await served.call("GET", vacancy, token: served.tokens["rita"]).status == 403)   // read role
        let otto = try await served.call("GET", vacancy, token: served.tokens["otto"])
        #expect(otto.status == 200 && otto.text.contains("be-pes-exchange/1"))
        let refused = try await served.call("GET", trainee, token: served.tokens["otto"])
        #expect(refused.status == 403 && refused.text.contains("Trainee payloads not granted"), "\(refused.text)")
        #expect(!refused.text.contains("nationalNumber"))
        let greta = try await served.call("GET", trainee, token: served.tokens["greta"])
        #expect(greta.status == 200 && greta.text.contains("be-pes-exchange/1"))
        let audit = try await served.call("GET", "/admin/v1/audit", token: served.tokens["otto"])
        let entries = try JSONDecoder().decode([AuditEntry].self, from: Data(audit.text.utf8))
        let reads = entries.filter { $0.action == "read-payload" }.map { "\($0.actor) \($0.detail ?? "")" }.sorted()
        #expect(reads == ["api:greta trainee batch, in", "api:otto vacancy batch, in"], "\(audit.text)")
        #expect(entries.contains { $0.action == "refused-payload" && $0.actor == "api:otto" && $0.target == Self.trainees })
        #expect(entries.contains { $0.action == "refused-token" && $0.actor == "api:rita" && $0.target == "GET /admin/v1/batches/\(Self.vacancies)/payload" })
        #expect(try await served.call("GET", "/admin/v1/batches/\(Self.trainees)/payload?direction=out", token: served.tokens["greta"]).status == 404)
    }
}
