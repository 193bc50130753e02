import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import Model
import Statistics
import Testing

@Suite("Statistics over the ledger, through the real exchange path", .bounded)
struct StatisticsTests {
    @Test("records and messages by origin agree with what the senders sent; breakdowns, CSV and faults")
    func flows() async throws {
        let temp = TemporaryFolder()
        let outcome = try await Demo(project: Project.root, folder: temp.path("demo")) { _ in }.run(keepRunning: false)
        #expect(outcome.succeeded)
        let root = temp.path("demo/var")
        func store(_ a: Agency) throws -> SQLiteStore { try SQLiteStore(path: "\(root)/\(a.rawValue.lowercased())/ledger.sqlite") }
        let forem = FlowStatistics(store: try store(.forem), agency: .forem)

        // Hand-computed from the fixtures and deploy/local's rules: VDAB sent Le Forem 4 vacancies, then
        // one of them again as filled (version 2): 4 records, 5 messages.
        let records = try await forem.answer(try FlowQuery(subject: .vacancies, by: [.origin]))
        let messages = try await forem.answer(try FlowQuery(subject: .vacancies, by: [.origin], mode: .messages))
        #expect(zip(records.rows, records.counts).first { $0.0 == ["VDAB"] }?.1 == 4)
        #expect(zip(messages.rows, messages.counts).first { $0.0 == ["VDAB"] }?.1 == 5)
        // And for every sender: distinct records = the records it routed to Le Forem; messages = what it sent.
        for origin in [Agency.vdab, .actiris, .adg] {
            let sent = try store(origin)
            let routed = try await sent.routedRecords().filter { $0.peer == .forem && $0.recordType == .vacancy }.count
            let summary = try #require(try await sent.sendingSummary().first { $0.peer == .forem && $0.recordType == .vacancy })
            #expect(zip(records.rows, records.counts).first { $0.0 == [origin.rawValue] }?.1 == routed, "\(origin)")
            #expect(zip(messages.rows, messages.counts).first { $0.0 == [origin.rawValue] }?.1 == summary.accepted + summary.duplicates, "\(origin)")
        }
        // The latest version decides: the filled vacancy counts as FILLED, once.
        let byStatus = try await forem.answer(try FlowQuery(subject: .vacancies, by: [.origin, .status]))
        #expect(byStatus.total == records.total)
        #expect(byStatus.rows.contains(["VDAB", "FILLED"]))

        // Trainee flows at Actiris: referring agency × training agency.
        let matrix = try await FlowStatistics(store: try store(.actiris), agency: .actiris).answer(try FlowQuery(subject: .trainees, by: [.origin, .training]))
        #expect(Dictionary(uniqueKeysWithValues: zip(matrix.rows.map { $0.joined(separator: "→") }, matrix.counts)) == ["ACTIRIS→BF": 2, "ACTIRIS→FOREM": 1])
        let people = try await FlowStatistics(store: try store(.actiris), agency: .actiris).answer(try FlowQuery(subject: .trainees, by: [.gender, .ageBand]))
        #expect(people.total == 3 && people.columns == ["gender", "age-band"])

        // CSV for a spreadsheet; a year with nothing; a dimension that does not apply.
        #expect(records.csv.hasPrefix("\u{FEFF}origin,count\r\n"))
        #expect(records.csv.hasSuffix("\r\n"))
        #expect(try await forem.answer(try FlowQuery(subject: .vacancies, by: [.origin], year: 2019)).total == 0)
        #expect(throws: StatisticsError.self) { try FlowQuery(subject: .vacancies, by: [.gender]) }
    }
}
