import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import Model
import Statistics
import Testing

/// Every breakdown, in both counting modes, against answers computed here from the records
/// themselves: batches received by VDAB's ledger at chosen times (first versions in January, updates
/// in March, a batch of duplicates and conflicts in May, trainees whose update changes the referring
/// agency in December, and new records in 2020 outside the window).
@Suite("Each breakdown and counting mode, against answers computed from the records (both stores)", .bounded)
struct BreakdownTests {
    static func at(_ month: Int, _ year: Int = 2019) -> Date {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c.date(from: DateComponents(year: year, month: month, day: 10, hour: 8))!
    }

    /// One message as received: the record, when that version was first received, and whether it counts.
    struct Message { var record: CanonicalRecord; var versionFirstReceived: Date }

    @Test("vacancies and trainee records by every dimension; records first exchanged, as their latest version says; messages as they came",
          arguments: LedgerKind.allCases)
    func everyBreakdown(_ kind: LedgerKind) async throws {
        let ledger = try await TestLedger(kind)
        let store = try await ledger.open()
        var g = SyntheticRecords(seed: 11, taxonomy: Translation.taxonomy, year: 2019)
        var batches = 0
        func receive(_ records: [CanonicalRecord], at date: Date, type: RecordType) async throws -> Receipt {
            batches += 1
            let batch = IncomingBatch(batchId: "b\(batches)", sender: .forem, recordType: type, bodySha256: sha256Hex(Array("body\(batches)".utf8)),
                                      receivedAt: date, records: records.map { Decoded(recordId: $0.id.rawValue, record: $0, errors: []) })
            guard case .stored(let receipt, _) = try await store.receive(batch) else { Issue.record("batch \(batches) not stored"); throw CancellationError() }
            return receipt
        }
        // Vacancies: 40 in January; 12 of them filled (version 2) in March; in May 5 sent again as they
        // were (duplicates) and 3 changed without a new version (conflicts); 6 new ones in 2020.
        var vacancies = (0..<40).map { CanonicalRecord.vacancy(g.vacancy(origin: .forem, id: "V\($0)", version: 1)) }
        var messages: [Message] = vacancies.map { Message(record: $0, versionFirstReceived: Self.at(1)) }
        _ = try await receive(vacancies, at: Self.at(1), type: .vacancy)
        var updates: [CanonicalRecord] = []
        for i in 0..<12 {
            guard case .vacancy(var v) = vacancies[i] else { continue }
            v.version = RecordVersion(rawValue: 2)!
            v.status = v.status == .filled ? .cancelled : .filled
            updates.append(.vacancy(v))
            vacancies[i] = .vacancy(v)
        }
        messages += updates.map { Message(record: $0, versionFirstReceived: Self.at(3)) }
        _ = try await receive(updates, at: Self.at(3), type: .vacancy)
        let duplicates = Array(vacancies[20..<25])
        var conflicts: [CanonicalRecord] = []
        for i in 25..<28 {
            guard case .vacancy(var v) = vacancies[i] else { continue }
            v.openPositions += 1
            conflicts.append(.vacancy(v))
        }
        messages += duplicates.map { Message(record: $0, versionFirstReceived: Self.at(1)) }
        let may = try await receive(duplicates + conflicts, at: Self.at(5), type: .vacancy)
        #expect(may.counts.duplicates == 5 && may.counts.rejected == 3)
        _ = try await receive((40..<46).map { .vacancy(g.vacancy(origin: .forem, id: "V\($0)", version: 1)) }, at: Self.at(2, 2020), type: .vacancy)

        // Trainee records: 30 in April, referred by VDAB, Actiris or BF; 6 updated in December, the
        // referring agency corrected.
        var trainees = (0..<30).map { i in CanonicalRecord.trainee(g.trainee(agency: .forem, id: "T\(i)", referring: [Agency.vdab, .actiris, .bf][i % 3], month: 4)) }
        var traineeMessages = trainees.map { Message(record: $0, versionFirstReceived: Self.at(4)) }
        _ = try await receive(trainees, at: Self.at(4), type: .trainee)
        var corrected: [CanonicalRecord] = []
        for i in 0..<6 {
            guard case .trainee(var t) = trainees[i] else { continue }
            t.version = RecordVersion(rawValue: 2)!
            t.referringAgency = t.referringAgency == .vdab ? .bf : .vdab
            corrected.append(.trainee(t))
            trainees[i] = .trainee(t)
        }
        traineeMessages += corrected.map { Message(record: $0, versionFirstReceived: Self.at(12)) }
        _ = try await receive(corrected, at: Self.at(12), type: .trainee)

        let statistics = FlowStatistics(store: store, agency: .vdab)
        let formatter = ISO8601DateFormatter()
        func value(_ b: Breakdown, _ record: CanonicalRecord, _ first: Date) -> String {
            let day = String(formatter.string(from: first).prefix(10)), month = Int(day.dropFirst(5).prefix(2))!
            let facts = RecordFacts(record)
            switch b {
            case .year: return String(day.prefix(4))
            case .quarter: return "\(day.prefix(4))-Q\((month + 2) / 3)"
            case .month: return String(day.prefix(7))
            case .day: return day
            case .origin: return facts.referringAgency ?? record.owner.rawValue
            case .destination: return "VDAB"
            case .training: return record.owner.rawValue
            case .grandDomain: return String(facts.fiche.prefix(1))
            case .domain: return facts.domain
            case .fiche: return facts.fiche
            case .region: return facts.region ?? ""
            case .contract: return facts.contract ?? ""
            case .bottleneck: return facts.bottleneck.map { $0 ? "yes" : "no" } ?? ""
            case .scheme: return facts.schemeNative ?? facts.scheme ?? ""
            case .status: return facts.status
            case .gender: return facts.gender ?? ""
            case .ageBand: return facts.ageBand ?? ""
            case .outcome: return "accepted"
            }
        }
        func expected(_ counted: [(CanonicalRecord, Date)], by: [Breakdown]) -> [[String]: Int] {
            var cells: [[String]: Int] = [:]
            for (record, first) in counted where first < Self.at(1, 2020) { cells[by.map { value($0, record, first) }, default: 0] += 1 }
            return cells
        }
        func actual(_ table: StatisticsTable) -> [[String]: Int] { Dictionary(uniqueKeysWithValues: zip(table.rows, table.counts)) }

        // Distinct records: the latest version's facts, the first reception's period.
        let vacancyRecords = vacancies.map { ($0, Self.at(1)) }, traineeRecords = trainees.map { ($0, Self.at(4)) }
        for (subject, records, msgs, dims) in [(FlowQuery.Subject.vacancies, vacancyRecords, messages, Breakdown.allCases.filter { $0 != .training && $0 != .scheme && $0 != .gender && $0 != .ageBand && $0 != .outcome }),
                                               (.trainees, traineeRecords, traineeMessages, Breakdown.allCases.filter { $0 != .day && $0 != .region && $0 != .contract && $0 != .bottleneck && $0 != .outcome })] {
            for b in dims {
                let r = try await statistics.answer(try FlowQuery(subject: subject, by: [b], year: 2019))
                #expect(actual(r) == expected(records, by: [b]), "\(subject) records by \(b.rawValue)")
                let m = try await statistics.answer(try FlowQuery(subject: subject, by: [b], year: 2019, mode: .messages))
                #expect(actual(m) == expected(msgs.map { ($0.record, $0.versionFirstReceived) }, by: [b]), "\(subject) messages by \(b.rawValue)")
                // Paired with the origin, from the monthly counts or the rows alike.
                let pair = try FlowQuery(subject: subject, by: [.origin, b], year: 2019)
                #expect(actual(try await statistics.answer(pair)) == expected(records, by: [.origin, b]), "\(subject) records by origin, \(b.rawValue)")
                #expect(try await statistics.answer(pair) == statistics.answer(pair, monthly: false))
            }
        }
        // By hand, the figures the loop compares: 40 vacancies in 2019 (the 2020 ones apart), 40 + 12
        // updates + 5 duplicates = 57 messages; 30 trainees, 24 + 6 referring agencies moved.
        #expect(try await statistics.answer(try FlowQuery(subject: .vacancies, by: [], year: 2019)).total == 40)
        #expect(try await statistics.answer(try FlowQuery(subject: .vacancies, by: [], year: 2019, mode: .messages)).total == 57)
        #expect(try await statistics.answer(try FlowQuery(subject: .vacancies, by: [.month], year: 2019, mode: .messages)).counts == [45, 12])
        #expect(try await statistics.answer(try FlowQuery(subject: .vacancies, by: [.year])).counts == [40, 6])
        #expect(try await statistics.answer(try FlowQuery(subject: .trainees, by: [], year: 2019)).total == 30)

        // Outcome: the 3 conflicts were of records accepted before, so all 40 are accepted; by
        // message, 40 + 12 accepted, 5 duplicates, 3 refused with their code.
        #expect(actual(try await statistics.answer(try FlowQuery(subject: .vacancies, by: [.outcome], year: 2019))) == [["accepted"]: 40])
        #expect(actual(try await statistics.answer(try FlowQuery(subject: .vacancies, by: [.month, .outcome], year: 2019, mode: .messages)))
                == [["2019-01", "accepted"]: 40, ["2019-03", "accepted"]: 12, ["2019-05", "duplicate"]: 5, ["2019-05", "rejected VERSION_CONFLICT"]: 3])
        // A record never accepted counts once, rejected with its code.
        let refused = IncomingBatch(batchId: "refused", sender: .forem, recordType: .vacancy, bodySha256: "x", receivedAt: Self.at(6),
                                    records: [Decoded(recordId: "V99", record: nil, errors: [FieldError("postcode", .invalidPostcode, "not a Belgian postcode")])])
        _ = try await store.receive(refused)
        #expect(actual(try await statistics.answer(try FlowQuery(subject: .vacancies, by: [.outcome], year: 2019)))
                == [["accepted"]: 40, ["rejected INVALID_POSTCODE"]: 1])
        #expect(throws: StatisticsError.self) { try FlowQuery(subject: .vacancies, by: [.outcome, .fiche]) }
        #expect(throws: StatisticsError.self) { try FlowQuery(subject: .vacancies, by: [.outcome], direction: .sent) }
    }

    @Test("persons: a trainee in three trainings counts once, by their keyed pseudonym; a ledger kept without the key refuses to count persons",
          arguments: LedgerKind.allCases)
    func persons(_ kind: LedgerKind) async throws {
        let key = try PayloadKey(material: Array("a-payload-key-of-thirty-two-bytes!".utf8))
        let ledger = try await TestLedger(kind, payloadKey: key)
        let store = try await ledger.open()
        var g = SyntheticRecords(seed: 5, taxonomy: Translation.taxonomy, year: 2019)
        var trainees = (0..<12).map { i in g.trainee(agency: .forem, id: "P\(i)", referring: [Agency.vdab, .actiris][i % 2], month: 3) }
        // P0's person trains twice more (P1, referred by Actiris, and P2, by VDAB); P4 and P5 are one person too.
        trainees[1].person = trainees[0].person
        trainees[2].person = trainees[0].person
        trainees[5].person = trainees[4].person
        let batch = IncomingBatch(batchId: "p1", sender: .forem, recordType: .trainee, bodySha256: sha256Hex(Array("persons".utf8)), receivedAt: Self.at(3),
                                  records: trainees.map { Decoded(recordId: $0.id.rawValue, record: .trainee($0), errors: []) })
        guard case .stored = try await store.receive(batch) else { Issue.record("not stored"); return }
        let statistics = FlowStatistics(store: store, agency: .vdab)
        let records = try await statistics.answer(try FlowQuery(subject: .trainees, by: [], year: 2019))
        let persons = try await statistics.answer(try FlowQuery(subject: .trainees, by: [], year: 2019, mode: .persons))
        #expect(records.total == 12)
        #expect(persons.total == Set(trainees.map(\.person.nationalNumber.digits)).count && persons.total == 9)
        // By referring agency: each person once per agency that referred them.
        let byOrigin = try await statistics.answer(try FlowQuery(subject: .trainees, by: [.origin], year: 2019, mode: .persons))
        var expected: [String: Set<String>] = [:]
        for t in trainees { expected[t.referringAgency.rawValue, default: []].insert(t.person.nationalNumber.digits) }
        #expect(Dictionary(uniqueKeysWithValues: zip(byOrigin.rows.map { $0[0] }, byOrigin.counts)) == expected.mapValues(\.count))
        #expect(persons.mode == .persons)
        // Not for vacancies, and not from a ledger that kept no pseudonyms.
        #expect(throws: StatisticsError.self) { try FlowQuery(subject: .vacancies, by: [], mode: .persons) }
        let unkeyedLedger = try await TestLedger(kind)
        let unkeyed = try await unkeyedLedger.open()
        guard case .stored = try await unkeyed.receive(batch) else { Issue.record("not stored"); return }
        await #expect(throws: StatisticsError.self) { try await FlowStatistics(store: unkeyed, agency: .vdab).answer(try FlowQuery(subject: .trainees, by: [], mode: .persons)) }
    }
}
