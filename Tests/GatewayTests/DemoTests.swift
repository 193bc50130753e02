import ExchangeHTTP
import ExchangeProtocol
import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import Model
import Synchronization
import Testing

@Suite("The five-agency demo: deploy/local's configurations on loopback", .bounded)
struct DemoTests {
    @Test("all five gateways exchange both ways, in JSON and XML; the counts add up; a vacancy closed at its origin is closed at every peer that had it")
    func fiveAgencies() async throws {
        let temp = TemporaryFolder()
        let lines = Mutex<[String]>([])
        let outcome = try await Demo(project: Project.root, folder: temp.path("demo")) { line in lines.withLock { $0.append(line) } }
            .run(keepRunning: false)
        #expect(outcome.quiet)
        #expect(outcome.succeeded, "\(lines.withLock { $0.joined(separator: "\n") })")

        // Every agency sends and receives; the agreed matrix, and nothing outside it.
        let pairs = Set(outcome.flows.map { "\($0.from.rawValue)→\($0.summary.peer.rawValue) \($0.summary.recordType.rawValue)" })
        let agreed: Set<String> = [
            "VDAB→FOREM vacancy", "FOREM→VDAB vacancy", "VDAB→ACTIRIS vacancy", "ACTIRIS→VDAB vacancy", "FOREM→ACTIRIS vacancy",
            "ACTIRIS→FOREM vacancy", "FOREM→ADG vacancy", "ADG→FOREM vacancy",
            "VDAB→FOREM trainee", "FOREM→VDAB trainee", "FOREM→ACTIRIS trainee", "ACTIRIS→FOREM trainee", "FOREM→ADG trainee",
            "ADG→FOREM trainee", "FOREM→BF trainee", "BF→FOREM trainee", "BF→ACTIRIS trainee",
        ]
        #expect(pairs.isSubset(of: agreed), "\(pairs.subtracting(agreed))")
        for agency in AgencyDirectory.profile.codes {
            #expect(outcome.flows.contains { $0.from == agency }, "\(agency) sent nothing")
            #expect(outcome.flows.contains { $0.summary.peer == agency }, "\(agency) received nothing")
        }
        for f in outcome.flows {
            #expect(f.summary.sent > 0 && f.summary.sent == f.summary.accepted + f.summary.duplicates + f.summary.rejected)
        }
        #expect(outcome.flows.contains { $0.summary.encodings.contains(.xml) })
        #expect(outcome.flows.contains { $0.summary.encodings.contains(.json) })
        // Not routed is counted, not lost: VDAB's trainee referred by itself, and one referred by Actiris (not agreed).
        #expect(outcome.pickups[.vdab]?.first { $0.source == "trainee/trainees.json" }?.notRouted == 2)

        // The closures of tick 2 reached every peer that had the vacancy, in their ledgers and back offices.
        let root = temp.path("demo/var")
        var closures = 0
        for origin in AgencyDirectory.profile.codes {
            let store = try SQLiteStore(path: "\(root)/\(origin.rawValue.lowercased())/ledger.sqlite")
            for routed in try await store.routedRecords() where routed.recordType == .vacancy {
                let peer = try SQLiteStore(path: "\(root)/\(routed.peer.rawValue.lowercased())/ledger.sqlite")
                let held = try #require(try await peer.latestReceived(origin: origin, recordId: routed.recordId))
                #expect(held.version == routed.version, "\(routed.peer) holds \(routed.recordId) v\(held.version), sent v\(routed.version)")
                if held.status == "FILLED" { closures += 1 }
            }
        }
        #expect(closures >= 4)   // one vacancy per exporting agency, at each of its peers
        let delivered = try FileManager.default.contentsOfDirectory(atPath: "\(root)/forem/incoming").filter { !$0.hasPrefix(".") }
        #expect(delivered.contains { $0.hasPrefix("vdab-") && $0.hasSuffix(".xml") })   // VDAB's records in Le Forem's own XML
    }
}
