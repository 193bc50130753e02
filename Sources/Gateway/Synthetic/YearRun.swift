import Formats
import Files
import Foundation
import Ledger
import Model
import Statistics

/// Runs a synthetic year through the five gateways of `deploy/local` on loopback: each month the
/// agencies' exports are dropped in their outgoing folders, picked up, routed, sent, received and
/// delivered, with every gateway's clock on the 15th of that month; then some of the month's
/// batches are sent again (replays). At the end the statistics of the receiving gateways are set
/// beside the plan's published figures.
public struct YearRun {
    public var project: URL
    public var folder: String
    public var plan: YearPlan
    public var say: @Sendable (String) -> Void

    public init(project: URL, folder: String, plan: YearPlan, say: @escaping @Sendable (String) -> Void) {
        self.project = project
        self.folder = folder
        self.plan = plan
        self.say = say
    }

    /// A published figure and what the gateways' statistics say.
    public struct Figure: Sendable, Equatable {
        public var name: String
        public var published: Int
        /// Distinct records (the statistics' default counting).
        public var records: Int
        /// Versions received (updates and duplicates included).
        public var messages: Int
    }

    public struct Outcome: Sendable {
        public var figures: [Figure]
        /// Records the receivers refused, by code.
        public var rejected: [String: Int]
        /// Batches sent a second time with the same id and body.
        public var replays: Int
        /// Every outbox drained and every batch delivered after each month.
        public var quiet: Bool
        public var network: LocalNetwork
        public var succeeded: Bool { quiet && figures.allSatisfy { $0.published == $0.records } }
    }

    static func instant(_ year: Int, _ month: Int, _ day: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 9))!
    }

    /// Runs the year; the network is left running for the caller to look at (and stop).
    public func run() async throws -> Outcome {
        let demo = Demo(project: project, folder: folder, say: say)
        let configurations = try demo.configurations()
        let mappings = MappingsFolder(path: project.appendingPathComponent("mappings").path)
        let catalog = try mappings.formatCatalog()
        let clock = SetClock(Self.instant(plan.year, 1, 15))
        say("Starting the five gateways on loopback, clocks set to \(plan.year), embedded stores under \(folder) …")
        let network = try await LocalNetwork.start(configurations, mappings: mappings, scheduledPickup: false, clock: clock.now)
        let taxonomy = network.nodes.values.first!.receiving.taxonomy
        let year = try SyntheticYear(plan: plan, configurations: Dictionary(uniqueKeysWithValues: configurations.map { ($0.agency, $0) }), taxonomy: taxonomy)
        say("Planned \(year.records.count) records (\(year.expectedVacancies) vacancy flows between \(plan.vacancies.between.map(\.rawValue).joined(separator: ", ")), \(plan.trainees.reduce(0) { $0 + $1.count }) trainee records), seed \(plan.seed).")
        var random = SeededGenerator(seed: plan.seed ^ 0x5EED)
        var quiet = true, replays = 0
        for month in 1...12 {
            let started = ContinuousClock.now
            clock.set(Self.instant(plan.year, month, 15))
            var exported = 0
            for (agency, node) in network.nodes.sorted(by: { $0.key < $1.key }) {
                guard let pickup = node.pickup, let outgoing = pickup.settings.folder else { continue }
                for (type, formatName) in pickup.settings.formats.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    guard let format = catalog.format(formatName, type: type),
                          let document = try year.document(month: month, agency: agency, type: type, format: format, taxonomy: taxonomy, created: clock.now())
                    else { continue }
                    let inbox = LocalFiles.join(outgoing, type.rawValue)
                    try PrivateFiles.makeFolder(inbox)
                    let name = String(format: "%04d-%02d.%@", plan.year, month, document.first == UInt8(ascii: "<") ? "xml" : "json")
                    try PrivateFiles.writeAtomically(document, to: LocalFiles.join(inbox, name))
                }
                for entry in try await pickup.run(now: clock.now()) { exported += entry.records }
            }
            quiet = try await network.waitUntilQuiet(timeout: .seconds(1800)) && quiet
            // Replays: some of the month's delivered batches sent again, as if their receipts were lost.
            var replayed = 0
            let since = String(format: "%04d-%02d-01", plan.year, month)
            for node in network.nodes.values {
                for row in try await node.store.rows("SELECT batch_id FROM batch WHERE direction = 'out' AND state = 'delivered' AND created_at >= ? ORDER BY batch_id", [since]) {
                    guard let id = row[0], Double(random.next(1_000_000)) < plan.traffic.replaysPercent * 10_000 else { continue }
                    let entry = AuditEntry(actor: "synthetic year", action: "replay", target: id, reason: "a receipt lost on the way (the plan's replays)")
                    if try await node.store.requeue(id, audit: entry, now: clock.now()) { replayed += 1 }
                }
            }
            if replayed > 0 { quiet = try await network.waitUntilQuiet(timeout: .seconds(600)) && quiet }
            replays += replayed
            say(String(format: "  %04d-%02d  %7d records exported, %3d batches replayed, %.1f s", plan.year, month, exported, replayed,
                       Double((ContinuousClock.now - started).components.seconds) + Double((ContinuousClock.now - started).components.attoseconds) / 1e18))
            if !quiet { break }
        }
        clock.set(Self.instant(plan.year + 1, 1, 15))
        let figures = try await self.figures(network)
        var rejected: [String: Int] = [:]
        for node in network.nodes.values {
            for row in try await node.store.rows("SELECT code, COUNT(*) FROM batch_record WHERE outcome = 'rejected' GROUP BY code", []) {
                rejected[row[0] ?? "?", default: 0] += Int(row[1] ?? "0") ?? 0
            }
        }
        return Outcome(figures: figures, rejected: rejected, replays: replays, quiet: quiet, network: network)
    }

    /// The plan's published figures beside what the receiving gateways' statistics count.
    func figures(_ network: LocalNetwork) async throws -> [Figure] {
        func count(_ agency: Agency, _ subject: FlowQuery.Subject, by: [Breakdown], mode: CountingMode, where keep: ([String]) -> Bool) async throws -> Int {
            guard let node = network.nodes[agency] else { return 0 }
            let table = try await FlowStatistics(store: node.store, agency: agency).answer(try FlowQuery(subject: subject, by: by, year: plan.year, mode: mode))
            return zip(table.rows, table.counts).filter { keep($0.0) }.reduce(0) { $0 + $1.1 }
        }
        let between = plan.vacancies.between
        var vacancies = Figure(name: "vacancies exchanged between \(between.map(\.rawValue).joined(separator: ", "))", published: plan.vacancies.exchanged, records: 0, messages: 0)
        for agency in between {
            let fromOthers: ([String]) -> Bool = { row in row[0] != agency.rawValue && between.contains(where: { $0.rawValue == row[0] }) }
            vacancies.records += try await count(agency, .vacancies, by: [.origin], mode: .records, where: fromOthers)
            vacancies.messages += try await count(agency, .vacancies, by: [.origin], mode: .messages, where: fromOthers)
        }
        var figures = [vacancies]
        for flow in plan.trainees {
            var figure = Figure(name: "trainees \(flow.referring.map(\.rawValue).joined(separator: "/")) → \(flow.training.rawValue)", published: flow.count, records: 0, messages: 0)
            for referring in flow.referring {
                let cell: ([String]) -> Bool = { $0 == [referring.rawValue, flow.training.rawValue] }
                figure.records += try await count(referring, .trainees, by: [.origin, .training], mode: .records, where: cell)
                figure.messages += try await count(referring, .trainees, by: [.origin, .training], mode: .messages, where: cell)
            }
            figures.append(figure)
        }
        return figures
    }
}
