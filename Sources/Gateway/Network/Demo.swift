import ExchangeHTTP
import ExchangeProtocol
import Files
import Formats
import Foundation
import Ledger
import Logging
import Model
import Statistics
import Taxonomy

/// The demo: `deploy/local`'s configuration for each body of `mappings/agencies.yaml` (the five
/// agencies as shipped) run under a folder of their own, on free loopback ports, each one's fixtures
/// fed into its outgoing folder; then what crossed.
public struct Demo {
    public var project: URL
    public var folder: String
    public var ticks: Int
    public var say: @Sendable (String) -> Void
    /// The gateways' log level, and where their lines go (standard error when nil).
    public var logLevel: Logger.Level
    public var logs: (@Sendable (String) -> any LogHandler)?

    public init(project: URL, folder: String, ticks: Int = 2, logLevel: Logger.Level = .warning, logs: (@Sendable (String) -> any LogHandler)? = nil,
                say: @escaping @Sendable (String) -> Void) {
        self.project = project
        self.folder = folder
        self.ticks = ticks
        self.logLevel = logLevel
        self.logs = logs
        self.say = say
    }

    /// One row of the closing table: what went from one agency to another, of one record type.
    public struct Flow: Sendable, Equatable {
        public var from: Agency
        public var summary: SendingSummary
        /// Sent = accepted + duplicates + rejected, and nothing left waiting or failed.
        public var addsUp: Bool {
            summary.sent == summary.accepted + summary.duplicates + summary.rejected && summary.waitingRecords == 0 && summary.failedRecords == 0
        }
    }

    public struct Outcome: Sendable {
        public var flows: [Flow]
        public var pickups: [Agency: [PickupEntry]]
        public var quiet: Bool
        /// Each gateway's /metrics, as it stood at the end.
        public var metrics: [Agency: String] = [:]
        public var succeeded: Bool { quiet && !flows.isEmpty && flows.allSatisfy(\.addsUp) }
    }

    var mappings: MappingsFolder { MappingsFolder(path: project.appendingPathComponent("mappings").path) }

    /// The agencies of the project's agency directory (`mappings/agencies.yaml`), each with its
    /// configuration in `deploy/local/`.
    public func agencies() throws -> [Agency] {
        let codes = try mappings.agencyDirectory().codes
        for agency in codes {
            let file = project.appendingPathComponent("deploy/local/\(agency.rawValue.lowercased()).yaml").path
            guard FileManager.default.fileExists(atPath: file) else {
                throw GatewayError("\(file) is missing: every agency of \(mappings.agenciesFile) runs a gateway in the demo")
            }
        }
        return codes
    }

    /// Keys for every ordered pair and each gateway's payload key, readable by their owner only, as
    /// `deploy/local/make-keys.sh` makes them.
    func makeKeys(in secrets: String, agencies: [Agency]) throws {
        try PrivateFiles.makeFolder(secrets)
        let names = agencies.flatMap { from in agencies.filter { $0 != from }.map { "\(from.rawValue.lowercased())-to-\($0.rawValue.lowercased())" } }
            + agencies.map { "\($0.rawValue.lowercased())-payload" }
        for name in names {
            let path = LocalFiles.join(secrets, "\(name).key")
            if FileManager.default.fileExists(atPath: path) { continue }
            var random = SystemRandomNumberGenerator()
            let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
            try PrivateFiles.writeAtomically(Array(key.utf8), to: path)
        }
    }

    /// Each agency's configuration, as `deploy/local` has it, rooted in the demo's folder.
    public func configurations() throws -> [GatewayConfiguration] {
        try LocalNetwork.onFreePorts(projectConfigurations())
    }

    /// Each agency's configuration as `deploy/local` has it (its own ports), rooted in the demo's folder.
    func projectConfigurations() throws -> [GatewayConfiguration] {
        // deploy/local's relative paths (`../../var/…`, `secrets/…`) land inside the demo's folder.
        let base = LocalFiles.join(folder, "deploy/local")
        let agencies = try agencies()
        try makeKeys(in: LocalFiles.join(base, "secrets"), agencies: agencies)
        return try agencies.map { agency in
            var c = try GatewayConfiguration.load(project.appendingPathComponent("deploy/local/\(agency.rawValue.lowercased()).yaml").path, base: base)
            c.mappings = project.appendingPathComponent("mappings").path
            return c
        }
    }

    /// Copies each agency's fixtures into its outgoing folder.
    func feedFixtures(_ configurations: [GatewayConfiguration]) throws -> Int {
        var n = 0
        for c in configurations {
            guard let outgoing = c.pickup?.folder else { continue }
            let fixtures = project.appendingPathComponent("fixtures/\(c.agency.rawValue.lowercased())").path
            for name in (try? LocalFiles.names(in: fixtures)) ?? [] {
                let type: RecordType = name.hasPrefix("trainee") ? .trainee : .vacancy
                guard c.pickup?.formats[type] != nil else { continue }
                let target = LocalFiles.join(outgoing, type.rawValue)
                try PrivateFiles.makeFolder(target)
                try PrivateFiles.writeAtomically(try LocalFiles.bytes(LocalFiles.join(fixtures, name)), to: LocalFiles.join(target, name))
                n += 1
            }
        }
        return n
    }

    /// The second export of each agency that exports vacancies: its first vacancy that went
    /// somewhere, now filled (a new version), and the first document again, unchanged.
    func feedUpdates(_ network: LocalNetwork, catalog: FormatCatalog) async throws -> Int {
        var n = 0
        for (agency, node) in network.nodes {
            guard let pickup = node.pickup, let outgoing = pickup.settings.folder, let formatName = pickup.settings.formats[.vacancy],
                  let format = catalog.format(formatName, type: .vacancy) else { continue }
            let done = LocalFiles.join(outgoing, "done/vacancy")
            guard let first = try LocalFiles.names(in: done).first(where: { !$0.hasSuffix(".report.json") }) else { continue }
            let document = try LocalFiles.bytes(LocalFiles.join(done, first))
            let reader = format.reading(ByteReader(bytes: document), taxonomy: pickup.taxonomy)
            _ = try reader.open()
            var closed: Vacancy?
            while let decoded = try reader.next() {
                guard case .vacancy(var v)? = decoded.record, try await !node.store.routes(origin: agency, recordId: v.id.rawValue).isEmpty else { continue }
                v.status = .filled
                v.version = RecordVersion(rawValue: v.version.rawValue + 1)!
                closed = v
                break
            }
            let inbox = LocalFiles.join(outgoing, "vacancy")
            if let closed {
                let out = ByteWriter()
                let writer = try format.writing(out, taxonomy: pickup.taxonomy, envelope: EnvelopeFields())
                try writer.begin(sender: agency, created: Date())
                _ = writer.write(.vacancy(closed))
                writer.end()
                out.flush()
                try PrivateFiles.writeAtomically(out.collected, to: LocalFiles.join(inbox, "update-\(first)"))
                n += 1
            }
            try PrivateFiles.writeAtomically(document, to: LocalFiles.join(inbox, "again-\(first)"))
            n += 1
        }
        return n
    }

    /// The demo's two accounts on every gateway's admin listener: a member of staff (`stats`: the
    /// dashboard and statistics) and an operator (`operator`, with trainee payloads). Their tokens
    /// exist only here and in what the demo prints; the file holds their hashes.
    public struct Accounts: Sendable {
        public var staffToken: String
        public var operatorToken: String
        /// The tokens file every gateway of the demo reads (`operators.tokensFile`).
        public var tokensFile: String
    }

    /// Makes the demo's accounts (`Accounts`) in `secrets/operators.tokens` under the demo's folder.
    func makeAccounts() throws -> Accounts {
        let staff = OperatorTokens.make(name: "demo-staff", role: .stats)
        let operatorAccount = OperatorTokens.make(name: "demo-operator", role: .operator, grants: [.traineePayloads])
        let file = LocalFiles.join(folder, "deploy/local/secrets/operators.tokens")
        try PrivateFiles.makeFolder((file as NSString).deletingLastPathComponent)
        try PrivateFiles.writeAtomically(Array("# The demo's accounts (gateway demo); tokens printed once at its start.\n\(staff.line)\n\(operatorAccount.line)\n".utf8), to: file)
        return Accounts(staffToken: staff.token, operatorToken: operatorAccount.token, tokensFile: file)
    }

    /// Leaves each gateway's configuration as a file in the demo's folder (`<agency>.yaml`): the
    /// project's `deploy/local` one with the ports the demo took (the exchange's, the admin
    /// listener's as bound), its paths into the demo's folder and its accounts — so that every
    /// operator command works on the demo's ledgers (`gateway batches list --config <folder>/vdab.yaml`).
    /// `originalPorts`: each agency's port in `deploy/local`, which the file's text names.
    func leaveConfigurations(_ configurations: [GatewayConfiguration], originalPorts: [Agency: Int], adminURLs: [Agency: String],
                             accounts: Accounts) throws -> [Agency: String] {
        var files: [Agency: String] = [:]
        for c in configurations {
            var text = try String(contentsOfFile: project.appendingPathComponent("deploy/local/\(c.agency.rawValue.lowercased()).yaml").path, encoding: .utf8)
            for other in configurations { if let port = originalPorts[other.agency] { text = text.replacingOccurrences(of: "127.0.0.1:\(port)", with: "127.0.0.1:#\(other.port)") } }
            text = text.replacingOccurrences(of: "127.0.0.1:#", with: "127.0.0.1:")
                .replacingOccurrences(of: "../../var/", with: "var/")
                .replacingOccurrences(of: "../../mappings", with: project.appendingPathComponent("mappings").path)
                .replacingOccurrences(of: " secrets/", with: " deploy/local/secrets/")
            let admin = adminURLs[c.agency].flatMap { URL(string: $0)?.port }.map { "127.0.0.1:\($0)" } ?? "127.0.0.1:0"
            text = "# Left by `gateway demo` in its folder: \(c.agency.rawValue)'s gateway as the demo ran it.\n" + text
                + "\nadmin:\n  listen: \(admin)\noperators:\n  tokensFile: deploy/local/secrets/operators.tokens\n"
            let file = LocalFiles.join(folder, "\(c.agency.rawValue.lowercased()).yaml")
            try PrivateFiles.writeAtomically(Array(text.utf8), to: file)
            _ = try GatewayConfiguration.load(file)   // what is left behind loads, or the demo says why now
            files[c.agency] = file
        }
        return files
    }

    /// Runs the demo; with `keepRunning` the network stays up until SIGINT or SIGTERM.
    public func run(keepRunning: Bool) async throws -> Outcome {
        let accounts = try makeAccounts()
        let operators = try OperatorTokens.load(accounts.tokensFile)
        let original = try projectConfigurations()
        let configurations = try LocalNetwork.onFreePorts(original).map { c in
            var c = c
            c.operators = operators
            return c
        }
        let agencies = configurations.map(\.agency)
        let catalog = try mappings.formatCatalog()
        say("Starting the \(agencies.count) gateways on loopback, embedded stores under \(folder) …")
        let network = try await LocalNetwork.start(configurations, mappings: mappings, scheduledPickup: false, logLevel: logLevel, logs: logs)
        for agency in agencies { say("  \(agency.rawValue.padding(8))\(network.urls[agency] ?? "?")") }
        let files = try leaveConfigurations(configurations, originalPorts: Dictionary(uniqueKeysWithValues: original.map { ($0.agency, $0.port) }),
                                            adminURLs: network.adminURLs, accounts: accounts)

        var pickups: [Agency: [PickupEntry]] = [:]
        var quiet = true
        for tick in 1...max(1, ticks) {
            let fed = tick == 1 ? try feedFixtures(configurations) : try await feedUpdates(network, catalog: catalog)
            say("")
            say(tick == 1 ? "Tick 1: each agency's fixtures exported into its outgoing folder (\(fed) documents); pick-up:"
                          : "Tick \(tick): a vacancy filled at each origin (new version) and a document exported again unchanged (\(fed) documents); pick-up:")
            for agency in agencies {
                guard let pickup = network.nodes[agency]?.pickup else { continue }
                let entries = try await pickup.run()
                pickups[agency, default: []] += entries
                for e in entries {
                    say("  \(agency.rawValue.padding(8))\(e.source.padding(34)) \(e.records) read: \(e.queued) queued, \(e.unchanged) unchanged, \(e.notRouted) not routed, \(e.rejected) rejected")
                }
            }
            let settled = try await network.waitUntilQuiet(timeout: .seconds(20))
            quiet = quiet && settled
            if !settled { say("  (the network did not settle within 20 s: some batches are still waiting)") }
        }

        var flows: [Flow] = []
        for agency in agencies {
            for summary in try await network.nodes[agency]!.store.sendingSummary() { flows.append(Flow(from: agency, summary: summary)) }
        }
        say("")
        say("What crossed (records; the senders' ledgers, with the receivers' receipts):")
        say("  from     to       type      batches    sent  accepted  duplicates  rejected")
        for f in flows {
            let s = f.summary
            say("  \(f.from.rawValue.padding(9))\(s.peer.rawValue.padding(9))\(s.recordType.rawValue.padding(9))\(String(s.batches).rightAligned(8))"
                + "\(String(s.sent).rightAligned(8))\(String(s.accepted).rightAligned(10))\(String(s.duplicates).rightAligned(12))\(String(s.rejected).rightAligned(10))"
                + (f.addsUp ? "   ✓" : "   ✗ \(s.waitingRecords) waiting, \(s.failedRecords) failed"))
        }
        let pairs = Set(flows.map { "\($0.from.rawValue)→\($0.summary.peer.rawValue)" })
        say("  \(flows.count) flows over \(pairs.count) directed pairs; " + (flows.allSatisfy(\.addsUp) ? "every one adds up: sent = accepted + duplicates + rejected." : "some do NOT add up."))
        say("")
        say("Statistics (each gateway's own ledger; distinct records by their latest version, messages in brackets):")
        for agency in agencies {
            guard let store = network.nodes[agency]?.store else { continue }
            let statistics = FlowStatistics(store: store, agency: agency)
            var parts: [String] = []
            for subject in [FlowQuery.Subject.vacancies, .trainees] {
                // Vacancies by their origin; trainee records by the agency that trains (and sent them).
                let by: [Breakdown] = [subject == .vacancies ? .origin : .training]
                let records = try await statistics.answer(try FlowQuery(subject: subject, by: by))
                let messages = try await statistics.answer(try FlowQuery(subject: subject, by: by, mode: .messages))
                guard records.total > 0 else { continue }
                let byOrigin = zip(records.rows, records.counts).map { row, n in
                    "\(row[0]) \(n) (\(zip(messages.rows, messages.counts).first { $0.0 == row }?.1 ?? 0))"
                }
                parts.append("\(subject == .vacancies ? "vacancies from" : "trainee records trained at") " + byOrigin.joined(separator: ", "))
            }
            say("  \(agency.rawValue.padding(8))received " + (parts.isEmpty ? "nothing" : parts.joined(separator: "; ")))
        }
        say("")
        say("Handed to the back offices (files in each agency's own format):")
        for agency in agencies {
            guard let folder = network.nodes[agency]?.configuration.deliveryFolder else { continue }
            let files = ((try? LocalFiles.names(in: folder)) ?? []).filter { !$0.hasPrefix(".") }
            say("  \(agency.rawValue.padding(8))\(files.count) files in \(folder)")
        }
        var metrics: [Agency: String] = [:]
        for (agency, node) in network.nodes { metrics[agency] = node.metrics.exposition() }
        if keepRunning {
            say("")
            say("The network stays up. Each gateway (exchange · admin API · dashboard · metrics):")
            for agency in agencies {
                let admin = network.adminURLs[agency] ?? "?"
                say("  \(agency.rawValue.padding(8))\(network.urls[agency] ?? "?")  ·  \(admin)/admin/v1  ·  \(admin)/dashboard  ·  \(admin)/metrics")
            }
            say("")
            say("Sign in to a dashboard with the staff token; the operator token opens the admin API too (shown once, kept nowhere else):")
            say("  staff (stats)      \(accounts.staffToken)")
            say("  operator           \(accounts.operatorToken)")
            say("  e.g. curl -H 'Authorization: Bearer \(accounts.operatorToken)' \(network.adminURLs[agencies.first ?? .vdab] ?? "")/admin/v1/batches")
            say("")
            say("Each gateway's configuration is left in \(folder), so every operator command works on the demo's ledgers:")
            if let first = agencies.first, let file = files[first] {
                say("  gateway batches list --config \(file)")
                say("  gateway stats vacancies --config \(file)")
                say("  gateway reconcile --config \(file) --peer \(agencies.dropFirst().first?.rawValue ?? "FOREM")")
            }
            say("Drop documents into var/<agency>/outgoing/{vacancy,trainee}/ under \(folder) and they are picked up as configured.")
            say("Ctrl-C (or kill -TERM \(getpid())) stops the \(agencies.count) gateways cleanly.")
            try await network.runUntilSignalled()
        } else {
            try await network.stop()
        }
        return Outcome(flows: flows, pickups: pickups, quiet: quiet, metrics: metrics)
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
    func rightAligned(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
