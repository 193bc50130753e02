import AsyncHTTPClient
import Formats
import Foundation
import Ledger
import Model

/// A year of exchange end to end, each gateway its own process: Le Forem's gateway starts with one
/// export of N generated vacancies waiting in its outgoing folder, picks it up, routes every vacancy
/// to VDAB and to Actiris, batches and sends them over loopback HTTP; VDAB's and Actiris's gateways
/// store each batch in their ledgers (receipts after commit) and deliver it to their drop folders in
/// their own formats. Timed from Le Forem's start until both receivers hold every record and have
/// delivered every batch; each process's peak memory and CPU time from `wait4`.
public struct ExchangeBenchmark: Sendable {
    public var executable: String
    public var mappings: MappingsFolder
    public var folder: String
    public var vacancies: Int
    /// How the ledgers commit: `full` (fsync at every commit: a receipt survives a power cut) or `normal`.
    public var synchronous: String
    public var timeout: Duration

    public init(executable: String, mappings: MappingsFolder, folder: String, vacancies: Int, synchronous: String = "full",
                timeout: Duration = .seconds(900)) {
        self.executable = executable
        self.mappings = mappings
        self.folder = folder
        self.vacancies = vacancies
        self.synchronous = synchronous
        self.timeout = timeout
    }

    public struct Figures: Sendable {
        public var seconds: Double
        public var processes: [(agency: Agency, run: MeasuredRun)]
        public var received: [Agency: Int]
        public var batches: [Agency: Int]
        public var deliveredFiles: [Agency: Int]
        public var documentMegabytes: Double
    }

    public static let receivers: [Agency] = [.vdab, .actiris]

    public func run(say: (String) -> Void) async throws -> Figures {
        let files = FileManager.default
        try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let secrets = LocalFiles.join(folder, "secrets")
        try files.createDirectory(atPath: secrets, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for peer in Self.receivers {
            for name in ["forem-to-\(peer.rawValue.lowercased())", "\(peer.rawValue.lowercased())-to-forem"] {
                var random = SystemRandomNumberGenerator()
                let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
                guard files.createFile(atPath: LocalFiles.join(secrets, name + ".key"), contents: Data(key.utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw GatewayError("\(secrets): cannot write keys")
                }
            }
        }
        var ports: [Agency: Int] = [:]
        for agency in [Agency.forem] + Self.receivers { ports[agency] = try LocalNetwork.freePort() }
        for agency in [Agency.forem] + Self.receivers {
            try files.createDirectory(atPath: path(agency, ""), withIntermediateDirectories: true)
            try Data(configuration(agency, ports: ports).utf8).write(to: URL(fileURLWithPath: configurationPath(agency)))
        }

        // The export, written before the clock starts, then put in Le Forem's outgoing folder.
        let staging = LocalFiles.join(folder, "vacancies-2019.xml")
        files.createFile(atPath: staging, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: staging) else { throw GatewayError("\(staging): cannot be written") }
        var generator = SyntheticVacancies(taxonomy: try TaxonomyInForce.load(mappings: mappings, storePath: nil))
        generator.writeForem(count: vacancies, to: ByteWriter(handle: handle))
        try handle.close()
        let size = Double((try files.attributesOfItem(atPath: staging)[.size] as? Int) ?? 0) / 1_000_000
        say(String(format: "export: %d Le Forem vacancies, %.0f MB of ISO-8859-1 XML; ledgers synchronous=%@", vacancies, size, synchronous))
        let outgoing = path(.forem, "outgoing/vacancy")
        try files.createDirectory(atPath: outgoing, withIntermediateDirectories: true)
        guard rename(staging, LocalFiles.join(outgoing, "vacancies-2019.xml")) == 0 else { throw GatewayError("\(outgoing): cannot take the export") }

        var children: [(Agency, ChildProcess)] = []
        func serve(_ agency: Agency) throws -> ChildProcess {
            try ChildProcess.start(executable, ["serve", "--config", configurationPath(agency)], stdout: path(agency, "out.log"), stderr: path(agency, "err.log"))
        }
        defer { for (_, child) in children { child.signal(SIGKILL) } }
        for agency in Self.receivers {
            children.append((agency, try serve(agency)))
            try await waitForHealth(port: ports[agency]!, agency: agency)
        }
        let started = ContinuousClock.now
        children.append((.forem, try serve(.forem)))
        let deadline = started + timeout
        var ledgers: [Agency: SQLiteStore] = [:]
        var lastReport = started
        while true {
            if ContinuousClock.now > deadline { throw GatewayError("the exchange did not finish within \(timeout); logs in \(folder)") }
            for (agency, child) in children where kill(child.pid, 0) != 0 {
                throw GatewayError("\(agency)'s gateway stopped during the run; its log: \(path(agency, "err.log"))")
            }
            if ledgers[.forem] == nil, files.fileExists(atPath: path(.forem, "ledger.sqlite")) { ledgers[.forem] = try SQLiteStore(path: path(.forem, "ledger.sqlite")) }
            for agency in Self.receivers where ledgers[agency] == nil { ledgers[agency] = try SQLiteStore(path: path(agency, "ledger.sqlite")) }
            let counts = try Self.receivers.map { try count(ledgers[$0]!, "SELECT COUNT(*) FROM received_record") }
            let undelivered = try Self.receivers.map { try count(ledgers[$0]!, "SELECT COUNT(*) FROM batch WHERE direction = 'in' AND delivered_at IS NULL") }
            let waiting = try ledgers[.forem].map { try count($0, "SELECT COUNT(*) FROM batch WHERE direction = 'out' AND state <> 'delivered'") } ?? 1
            if counts.allSatisfy({ $0 >= vacancies }) && undelivered.allSatisfy({ $0 == 0 }) && waiting == 0 { break }
            if ContinuousClock.now - lastReport > .seconds(5) {
                lastReport = ContinuousClock.now
                say("  … \(zip(Self.receivers, counts).map { "\($0.0): \($0.1)" }.joined(separator: ", ")) received; \(waiting) batches still to send")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let elapsed = ContinuousClock.now - started
        var figures = Figures(seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, processes: [],
                              received: [:], batches: [:], deliveredFiles: [:], documentMegabytes: size)
        for agency in Self.receivers {
            figures.received[agency] = try count(ledgers[agency]!, "SELECT COUNT(*) FROM received_record")
            figures.batches[agency] = try count(ledgers[agency]!, "SELECT COUNT(*) FROM batch WHERE direction = 'in'")
            figures.deliveredFiles[agency] = try LocalFiles.names(in: path(agency, "incoming")).filter { !$0.hasPrefix(".") }.count
        }
        for (_, child) in children { child.signal(SIGTERM) }
        for (agency, child) in children { figures.processes.append((agency, child.wait())) }
        children = []
        return figures
    }

    func configurationPath(_ agency: Agency) -> String { LocalFiles.join(folder, "\(agency.rawValue.lowercased()).yaml") }

    func path(_ agency: Agency, _ name: String) -> String { LocalFiles.join(folder, "\(agency.rawValue.lowercased())/\(name)") }

    func count(_ store: SQLiteStore, _ sql: String) throws -> Int { Int(try store.rows(sql, []).first?.first.flatMap { $0 } ?? "0") ?? 0 }

    func waitForHealth(port: Int, agency: Agency) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/exchange/v1/health"), timeout: .seconds(2)),
               response.status == .ok { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw GatewayError("\(agency)'s gateway did not start; its log: \(path(agency, "err.log"))")
    }

    /// Each gateway's configuration: Le Forem sends every vacancy to both; the receivers deliver in
    /// their own formats.
    func configuration(_ agency: Agency, ports: [Agency: Int]) -> String {
        let me = agency.rawValue.lowercased()
        var yaml = """
            agency: \(agency.rawValue)
            listen: 127.0.0.1:\(ports[agency]!)
            store: { path: \(me)/ledger.sqlite, synchronous: \(synchronous) }
            mappings: \(mappings.path)
            delivery: { folder: \(me)/incoming, vacancy: \(me) }

            """
        if agency == .forem {
            yaml += """
                pickup: { folder: forem/outgoing, every: 1h, vacancy: forem }
                routes:
                  - { type: vacancy, to: [VDAB, ACTIRIS] }
                peers:

                """
            for peer in Self.receivers {
                let p = peer.rawValue.lowercased()
                yaml += """
                      \(peer.rawValue):
                        url: http://127.0.0.1:\(ports[peer]!)
                        receiveKeyFile: secrets/\(p)-to-forem.key
                        sendKeyFile: secrets/forem-to-\(p).key
                        receive: [vacancy]
                        send: [vacancy]

                    """
            }
        } else {
            yaml += """
                peers:
                  FOREM:
                    receiveKeyFile: secrets/forem-to-\(me).key
                    receive: [vacancy]

                """
        }
        return yaml
    }
}
