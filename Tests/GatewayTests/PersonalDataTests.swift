import ExchangeHTTP
import ExchangeProtocol
import Files
import Formats
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import LedgerTestSupport
import Logging
import Model
import NIOCore
import Statistics
import Synchronization
import Testing

/// Log lines collected from the gateways under test, every level.
final class CollectedLogs: Sendable {
    let lines = Mutex<[String]>([])

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    func handler(_ label: String) -> any LogHandler { Handler(label: label, logs: self) }

    struct Handler: LogHandler {
        let label: String
        let logs: CollectedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let text = "\(event.level) \(label): \(event.message) " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            logs.lines.withLock { $0.append(text) }
        }
    }
}

@Suite("Personal data", .bounded)
struct PersonalDataTests {
    /// What identifies the trainees of every agency's fixtures, in the spellings a leak would take.
    static func identifiers() throws -> [String] {
        var found: Set<String> = []
        for (file, format) in [("vdab/trainees.json", "vdab"), ("forem/trainees.xml", "forem"), ("adg/trainees.json", "adg"), ("bf/trainees.xml", "bf")] {
            for record in try Translation.records(try Translation.fixture(file), format: format, .trainee) {
                guard case .trainee(let t) = record else { continue }
                let p = t.person, d = p.birthDate
                found.formUnion([p.nationalNumber.digits, p.nationalNumber.formatted, p.lastName, p.firstName, d.description,
                                 String(format: "%02d/%02d/%04d", d.day, d.month, d.year), String(format: "%04d%02d%02d", d.year, d.month, d.day),
                                 String(format: "%02d.%02d.%04d", d.day, d.month, d.year)])
            }
        }
        return found.filter { $0.count >= 4 }.sorted()
    }

    static func leaks(in text: String, of identifiers: [String]) -> [String] { identifiers.filter { text.contains($0) } }

    static func leaks(in bytes: [UInt8], of identifiers: [String]) -> [String] {
        let haystack = Data(bytes)
        return identifiers.filter { haystack.range(of: Data($0.utf8)) != nil }
    }

    @Test("after the five-agency exchange, no national number, name or birth date is in the logs, metrics, statistics, reports or the ledgers' files")
    func nothingLeaks() async throws {
        let identifiers = try Self.identifiers()
        #expect(identifiers.count >= 12, "\(identifiers)")
        let temp = TemporaryFolder()
        let logs = CollectedLogs()
        let outcome = try await Demo(project: Project.root, folder: temp.path("demo"), logLevel: .trace, logs: logs.handler) { _ in }.run(keepRunning: false)
        #expect(outcome.succeeded)
        #expect(outcome.flows.contains { $0.summary.recordType == .trainee && $0.summary.accepted > 0 })
        let logText = logs.text
        #expect(logText.contains("batch received"), "the logs were collected")
        #expect(Self.leaks(in: logText, of: identifiers).isEmpty, "in the logs: \(Self.leaks(in: logText, of: identifiers))")
        for (agency, metrics) in outcome.metrics {
            #expect(Self.leaks(in: metrics, of: identifiers).isEmpty, "in \(agency)'s metrics")
        }
        let root = temp.path("demo/var")
        var persons = 0
        for agency in [Agency.vdab, .forem, .actiris, .adg, .bf] {
            let folder = "\(root)/\(agency.rawValue.lowercased())"
            // The ledger's files, raw: every table, every page, the write-ahead log.
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix("ledger.sqlite") {
                let bytes = try LocalFiles.bytes(folder + "/" + name)
                #expect(Self.leaks(in: bytes, of: identifiers).isEmpty, "in \(agency)'s \(name): \(Self.leaks(in: bytes, of: identifiers))")
            }
            // The pick-up reports beside the documents the agency exported.
            let reports = FileManager.default.enumerator(atPath: folder + "/outgoing")?.compactMap { $0 as? String }.filter { $0.hasSuffix(".report.json") } ?? []
            for report in reports {
                #expect(Self.leaks(in: try String(contentsOfFile: folder + "/outgoing/" + report, encoding: .utf8), of: identifiers).isEmpty, "\(report)")
            }
            // Statistics, every trainee breakdown, as JSON and CSV; persons counted through their pseudonym.
            let key = try PayloadKey(material: try LocalFiles.bytes(temp.path("demo/deploy/local/secrets/\(agency.rawValue.lowercased())-payload.key")))
            let statistics = FlowStatistics(store: try SQLiteStore(path: folder + "/ledger.sqlite", payloadKey: key), agency: agency)
            for direction in FlowQuery.Direction.allCases {
                for b in Breakdown.trainee where b != .outcome || direction == .received {
                    let table = try await statistics.answer(try FlowQuery(subject: .trainees, by: [b], direction: direction))
                    let text = String(decoding: try JSONEncoder().encode(table), as: UTF8.self) + table.csv + table.text
                    #expect(Self.leaks(in: text, of: identifiers).isEmpty, "\(agency) trainees by \(b)")
                }
                persons += try await statistics.answer(try FlowQuery(subject: .trainees, by: [], mode: .persons, direction: direction)).total
            }
        }
        #expect(persons > 0, "persons counted through their pseudonyms")
    }

    @Test("a trainee record refused for its birth date or national number: the receipt and the ledger say why without repeating the value")
    func refusalsDoNotQuote() async throws {
        let fixture = ReceivingFixture()
        // Le Forem's trainee fixture as an exchange batch for VDAB, with a wrong birth date and a
        // national number whose check digits fail.
        let out = ByteWriter()
        _ = try Translator(source: Translation.catalog.format("forem", type: .trainee)!, target: Translation.catalog.format("exchange-json", type: .trainee)!,
                           taxonomy: Translation.taxonomy, envelope: EnvelopeFields(receiver: .vdab, batchId: "3d9a1c2b-7e4f-4a60-9b8c-1d2e3f4a5b6c"))
            .translate(ByteReader(bytes: try Translation.fixture("forem/trainees.xml")), into: out)
        let records = try Translation.records(try Translation.fixture("forem/trainees.xml"), format: "forem", .trainee)
        guard case .trainee(let first)? = records.first, case .trainee(let second)? = records.dropFirst().first else { Issue.record("two trainees expected"); return }
        var text = String(decoding: out.collected, as: UTF8.self)
        let badDate = "\(first.person.birthDate.year)-02-30"
        text = text.replacingOccurrences(of: "\"\(first.person.birthDate.description)\"", with: "\"\(badDate)\"")
        let digits = second.person.nationalNumber.digits
        let badNumber = String(digits.prefix(9)) + (digits.hasSuffix("00") ? "01" : "00")
        text = text.replacingOccurrences(of: digits, with: badNumber)
        let body = Array(text.utf8)
        let app = try fixture.application(payloadKey: try PayloadKey(material: Array("a-payload-key-of-thirty-two-bytes!".utf8)))
        let forem = fixture.forem
        try await app.test(.router) { client in
            let answer = try await client.execute(uri: "/exchange/v1/batches", method: .post,
                                                  headers: ReceivingFixture.headers(forem, as: "FOREM", body: body), body: ByteBuffer(bytes: body))
            #expect(answer.status == .ok)
            let receipt = String(buffer: answer.body)
            #expect(receipt.contains("INVALID_DATE") && receipt.contains("INVALID_NATIONAL_NUMBER"), "\(receipt)")
            for secret in [badDate, badNumber, first.person.lastName, second.person.lastName] {
                #expect(!receipt.contains(secret), "the receipt repeats \(secret)")
            }
        }
        let ledger = try LocalFiles.bytes(fixture.temp.path("vdab.sqlite")) + ((try? LocalFiles.bytes(fixture.temp.path("vdab.sqlite-wal"))) ?? [])
        #expect(Self.leaks(in: ledger, of: [badDate, badNumber]).isEmpty)
    }
}

extension PersonalDataTests {
    /// A trainee document of `format` with its first person's birth date made impossible, the
    /// second's national number given wrong check digits, and the third's (or, where there are two,
    /// the second's) last name 150 letters long; and every spelling of those values a message could repeat.
    static func broken(_ file: String, format: String) throws -> (document: [UInt8], values: [String]) {
        var text = String(decoding: try Translation.fixture(file), as: UTF8.self)
        let people = try Translation.records(try Translation.fixture(file), format: format, .trainee).compactMap { r -> Person? in
            if case .trainee(let t) = r { return t.person } else { return nil }
        }
        guard people.count >= 2 else { throw WaitTimedOut(description: "\(file): two trainees or more expected") }
        var values: [String] = []
        let d = people[0].birthDate
        for (good, bad) in [(d.description, "\(d.year)-02-31"), (String(format: "%02d/%02d/%04d", d.day, d.month, d.year), "31/02/\(d.year)"),
                            (String(format: "%04d%02d%02d", d.year, d.month, d.day), "\(d.year)0231"),
                            (String(format: "%02d.%02d.%04d", d.day, d.month, d.year), "31.02.\(d.year)")] where text.contains(good) {
            text = text.replacingOccurrences(of: good, with: bad)
            values.append(bad)
        }
        let n = people[1].nationalNumber, digits = n.digits
        let wrong = String(digits.prefix(9)) + (digits.hasSuffix("00") ? "01" : "00")
        let wrongFormatted = n.formatted.dropLast(2) + wrong.suffix(2)
        text = text.replacingOccurrences(of: digits, with: wrong).replacingOccurrences(of: n.formatted, with: String(wrongFormatted))
        values += [wrong, String(wrongFormatted)]
        let long = "Zwyssigerhalden" + String(repeating: "q", count: 135)
        text = text.replacingOccurrences(of: people[min(2, people.count - 1)].lastName, with: long)
        values.append(long.prefix(20) + "")
        return (Array(text.utf8), values)
    }

    @Test("in every trainee format, an impossible birth date, a wrong national number and an over-long name are rejected with their code, never their value",
          arguments: [("vdab/trainees.json", "vdab"), ("forem/trainees.xml", "forem"), ("adg/trainees.json", "adg"), ("bf/trainees.xml", "bf")])
    func brokenPersonsInEveryFormat(_ file: String, _ format: String) throws {
        let (document, values) = try Self.broken(file, format: format)
        #expect(values.count >= 4, "the birth date was found in \(file)")
        let reading = Translation.catalog.format(format, type: .trainee)!.reading(ByteReader(bytes: document), taxonomy: Translation.taxonomy)
        _ = try reading.open()
        var errors: [FieldError] = []
        while let decoded = try reading.next() { errors += decoded.errors }
        let codes = Set(errors.map(\.code))
        #expect(codes.isSuperset(of: [.invalidDate, .invalidNationalNumber]), "\(file): \(errors)")
        // Where the name went to a third person (not ADG's two), its own fault: too long.
        let people = try Translation.records(try Translation.fixture(file), format: format, .trainee).count
        #expect(people < 3 || errors.contains { $0.field.hasSuffix("lastName") }, "\(file): \(errors)")
        let text = errors.map(\.description).joined(separator: "\n")
        #expect(Self.leaks(in: text, of: values).isEmpty, "\(file) repeats \(Self.leaks(in: text, of: values)): \(text)")
        // Translated to the exchange form (a receipt's messages are these), the same.
        let (report, _) = try Translation.run(document, from: format, to: "exchange-json", .trainee, receiver: format == "vdab" ? .forem : .vdab)
        let reported = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(Self.leaks(in: reported, of: values).isEmpty, "the translation report repeats \(Self.leaks(in: reported, of: values))")
    }

    @Test("a broken trainee document picked up: its report, the ledger and the batches hold none of the broken values")
    func brokenPersonsPickedUp() async throws {
        let (document, values) = try Self.broken("forem/trainees.xml", format: "forem")
        let f = PickupFixture()
        let store = try f.store()
        try f.export(document, as: "broken.xml", type: .trainee)
        let entries = try await f.pickup(store).run()
        #expect(entries.count == 1 && entries[0].rejected >= 2, "\(entries.map(\.report))")
        let report = try String(contentsOfFile: LocalFiles.join(f.outgoing, "done/trainee/broken.xml.report.json"), encoding: .utf8)
        #expect(report.contains("INVALID_DATE") && report.contains("INVALID_NATIONAL_NUMBER"), "\(report)")
        #expect(Self.leaks(in: report, of: values).isEmpty, "the report repeats \(Self.leaks(in: report, of: values))")
        // The ledger keeps the document itself (as exported, unsealed here: no payload key) but no
        // message, note or batch repeats a value: the rows other than the document.
        let notes = try await store.pickupContents(source: "trainee/broken.xml", sha256: entries[0].sha256)
        let written = "\(notes.notes)" + entries[0].report
        #expect(Self.leaks(in: written, of: values).isEmpty, "the pick-up notes repeat \(Self.leaks(in: written, of: values))")
    }
}

extension PersonalDataTests {
    @Test("the five-agency demo fed broken trainee documents: none of their values in the logs, metrics, any file the gateways wrote, the admin API or statistics",
          .timeLimit(.minutes(3)))
    func brokenDemo() async throws {
        // A project whose fixtures are the real ones with every agency's trainee document broken.
        let temp = TemporaryFolder()
        let project = temp.path("project")
        try FileManager.default.createDirectory(atPath: project + "/fixtures", withIntermediateDirectories: true)
        for name in ["deploy", "mappings"] {
            try FileManager.default.createSymbolicLink(atPath: project + "/" + name, withDestinationPath: Project.root.appendingPathComponent(name).path)
        }
        var values: [String] = []
        for agency in ["vdab", "forem", "actiris", "adg", "bf"] {
            try FileManager.default.createDirectory(atPath: "\(project)/fixtures/\(agency)", withIntermediateDirectories: true)
            for name in try LocalFiles.names(in: Project.root.appendingPathComponent("fixtures/\(agency)").path) {
                var bytes = try Translation.fixture("\(agency)/\(name)")
                if name.hasPrefix("trainee") {
                    let broken = try Self.broken("\(agency)/\(name)", format: agency)
                    bytes = broken.document
                    values += broken.values
                }
                try PrivateFiles.writeAtomically(bytes, to: "\(project)/fixtures/\(agency)/\(name)")
            }
        }
        #expect(values.count >= 16, "\(values)")
        let logs = CollectedLogs()
        let outcome = try await Demo(project: URL(fileURLWithPath: project), folder: temp.path("demo"), logLevel: .trace, logs: logs.handler) { _ in }
            .run(keepRunning: false)
        #expect(outcome.pickups.values.joined().filter { $0.recordType == .trainee }.map(\.rejected).reduce(0, +) >= 8, "the broken records were refused")
        #expect(Self.leaks(in: logs.text, of: values).isEmpty, "in the logs: \(Self.leaks(in: logs.text, of: values))")
        for (agency, metrics) in outcome.metrics { #expect(Self.leaks(in: metrics, of: values).isEmpty, "in \(agency)'s metrics") }

        // Every file the gateways wrote — ledgers and their WAL, reports, deliveries — but the
        // documents the agencies exported themselves (moved to done/ or rejected/ as they were).
        let root = temp.path("demo")
        var looked = 0, inExports = 0
        for name in FileManager.default.enumerator(atPath: root)?.compactMap({ $0 as? String }) ?? [] {
            let path = root + "/" + name
            guard RegularFile.kind(path) == .regular else { continue }
            let exported = (name.contains("/outgoing/done/") || name.contains("/outgoing/rejected/")) && !name.hasSuffix(".report.json")
            if exported { inExports += Self.leaks(in: try LocalFiles.bytes(path), of: values).count }
            if exported || name.contains("/secrets/") { continue }
            looked += 1
            let found = Self.leaks(in: try LocalFiles.bytes(path), of: values)
            #expect(found.isEmpty, "\(name) holds \(found)")
        }
        #expect(looked > 20, "\(looked) files looked at")
        #expect(inExports >= values.count / 2, "the search finds the values where they are: the agencies' own exports (\(inExports))")

        // The admin API's answers and every trainee statistic, as an operator sees them (exact).
        let alice = OperatorTokens.make(name: "alice", role: .operator, grants: [.traineePayloads])
        let demo = Demo(project: URL(fileURLWithPath: project), folder: root) { _ in }
        for var configuration in try demo.configurations() {
            let f = alice.line.split(separator: " ").map(String.init)
            configuration.operators = OperatorTokens(granted: [(f[0], .operator, f[2], [.traineePayloads])])
            let network = try await LocalNetwork.start([configuration], mappings: Project.mappings, scheduledPickup: false)
            let base = try #require(network.adminURLs[configuration.agency])
            var answers = try await AdminAPITests.call("GET", base + "/admin/v1/batches?limit=1000", token: alice.token).body
            answers += try await AdminAPITests.call("GET", base + "/admin/v1/audit", token: alice.token).body
            for by in ["origin", "training", "scheme", "status", "gender", "age-band", "month"] {
                for direction in ["received", "sent"] {
                    answers += try await AdminAPITests.call("GET", base + "/stats/trainees?by=\(by)&direction=\(direction)", token: alice.token).body
                }
            }
            answers += try await AdminAPITests.call("GET", base + "/dashboard", token: alice.token).body
            #expect(Self.leaks(in: answers, of: values).isEmpty, "\(configuration.agency)'s admin API: \(Self.leaks(in: answers, of: values))")
            try await network.stop()
        }
    }
}
