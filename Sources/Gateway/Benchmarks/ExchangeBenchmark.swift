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
        let gateways = try BenchmarkGateways(executable: executable, folder: folder, mappings: mappings, synchronous: synchronous,
                                             agencies: [.forem] + Self.receivers)
        var forem = gateways.head(.forem) + """
            pickup: { folder: forem/outgoing, every: 1h, vacancy: forem }
            routes:
              - { type: vacancy, to: [VDAB, ACTIRIS] }
            peers:

            """
        for peer in Self.receivers {
            try gateways.makeKey(from: .forem, to: peer)
            try gateways.makeKey(from: peer, to: .forem)
            try gateways.write(peer, configuration: gateways.receiverConfiguration(peer, from: .forem))
            forem += """
                  \(peer.rawValue):
                    url: \(gateways.url(peer))
                    receiveKeyFile: \(gateways.keyPath(from: peer, to: .forem))
                    sendKeyFile: \(gateways.keyPath(from: .forem, to: peer))
                    receive: [vacancy]
                    send: [vacancy]

                """
        }
        try gateways.write(.forem, configuration: forem)

        // The export, written before the clock starts, then put in Le Forem's outgoing folder.
        let staging = LocalFiles.join(folder, "vacancies-2019.xml")
        _ = files.createFile(atPath: staging, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: staging) else { throw GatewayError("\(staging): cannot be written") }
        var generator = SyntheticVacancies(taxonomy: try TaxonomyInForce.shipped(mappings: mappings))
        generator.writeForem(count: vacancies, to: ByteWriter(handle: handle))
        try handle.close()
        let size = Double((try files.attributesOfItem(atPath: staging)[.size] as? Int) ?? 0) / 1_000_000
        say(String(format: "export: %d Le Forem vacancies, %.0f MB of ISO-8859-1 XML; ledgers synchronous=%@", vacancies, size, synchronous))
        let outgoing = gateways.path(.forem, "outgoing/vacancy")
        try files.createDirectory(atPath: outgoing, withIntermediateDirectories: true)
        guard rename(staging, LocalFiles.join(outgoing, "vacancies-2019.xml")) == 0 else { throw GatewayError("\(outgoing): cannot take the export") }

        var children: [(Agency, ChildProcess)] = []
        defer { for (_, child) in children { child.signal(SIGKILL) } }
        for agency in Self.receivers {
            let child = try gateways.serve(agency)
            children.append((agency, child))
            try await gateways.waitForHealth(agency, child: child)
        }
        let started = ContinuousClock.now
        children.append((.forem, try gateways.serve(.forem)))
        let deadline = started + timeout
        var ledgers: [Agency: any LedgerStore] = [:]
        for agency in Self.receivers { ledgers[agency] = try await gateways.ledger(agency) }
        var lastReport = started
        while true {
            if ContinuousClock.now > deadline { throw GatewayError("the exchange did not finish within \(timeout); logs in \(folder)") }
            for (agency, child) in children where kill(child.pid, 0) != 0 {
                throw GatewayError("\(agency)'s gateway stopped during the run; its log: \(gateways.path(agency, "err.log"))")
            }
            if ledgers[.forem] == nil, files.fileExists(atPath: gateways.path(.forem, "ledger.sqlite")) { ledgers[.forem] = try await gateways.ledger(.forem) }
            var counts: [Int] = [], undelivered: [Int] = []
            for agency in Self.receivers {
                counts.append(try await ledgers[agency]!.count("SELECT COUNT(*) FROM received_record"))
                undelivered.append(try await ledgers[agency]!.count("SELECT COUNT(*) FROM batch WHERE direction = 'in' AND delivered_at IS NULL"))
            }
            var waiting = 1
            if let forem = ledgers[.forem] { waiting = try await forem.count("SELECT COUNT(*) FROM batch WHERE direction = 'out' AND state <> 'delivered'") }
            if counts.allSatisfy({ $0 >= vacancies }) && undelivered.allSatisfy({ $0 == 0 }) && waiting == 0 { break }
            if ContinuousClock.now - lastReport > .seconds(5) {
                lastReport = ContinuousClock.now
                say("  … \(zip(Self.receivers, counts).map { "\($0.0): \($0.1)" }.joined(separator: ", ")) received; \(waiting) batches still to send")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        var figures = Figures(seconds: seconds(ContinuousClock.now - started), processes: [], received: [:], batches: [:], deliveredFiles: [:],
                              documentMegabytes: size)
        for agency in Self.receivers {
            figures.received[agency] = try await ledgers[agency]!.count("SELECT COUNT(*) FROM received_record")
            figures.batches[agency] = try await ledgers[agency]!.count("SELECT COUNT(*) FROM batch WHERE direction = 'in'")
            figures.deliveredFiles[agency] = try LocalFiles.names(in: gateways.path(agency, "incoming")).filter { !$0.hasPrefix(".") }.count
        }
        for (_, child) in children { child.signal(SIGTERM) }
        for (agency, child) in children { figures.processes.append((agency, child.wait())) }
        children = []
        return figures
    }
}
