import AsyncHTTPClient
import Foundation
import Ledger
import Model

/// Gateways for a benchmark, each its own `gateway serve` process under one folder: keys for each
/// pair, a configuration file per agency (`<agency>.yaml`, paths relative to the folder), logs, and
/// the ledgers the benchmark reads to know when the work is done.
struct BenchmarkGateways {
    let executable: String
    let folder: String
    let mappings: MappingsFolder
    let synchronous: String
    let ports: [Agency: Int]
    /// Agencies whose ledger is a PostgreSQL database (the rest: SQLite files under the folder).
    let postgres: [Agency: PostgresSettings]

    init(executable: String, folder: String, mappings: MappingsFolder, synchronous: String, agencies: [Agency],
         postgres: [Agency: PostgresSettings] = [:]) throws {
        self.postgres = postgres
        self.executable = executable
        self.folder = folder
        self.mappings = mappings
        self.synchronous = synchronous
        let files = FileManager.default
        try files.createDirectory(atPath: LocalFiles.join(folder, "secrets"), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var ports: [Agency: Int] = [:]
        for agency in agencies {
            ports[agency] = try LocalNetwork.freePort()
            try files.createDirectory(atPath: LocalFiles.join(folder, "\(agency.rawValue.lowercased())/"), withIntermediateDirectories: true)
        }
        self.ports = ports
    }

    func path(_ agency: Agency, _ name: String) -> String { LocalFiles.join(folder, "\(agency.rawValue.lowercased())/\(name)") }

    func keyPath(from: Agency, to: Agency) -> String {
        LocalFiles.join(folder, "secrets/\(from.rawValue.lowercased())-to-\(to.rawValue.lowercased()).key")
    }

    /// Makes the key of `from` → `to` (owner-only) and returns it.
    @discardableResult
    func makeKey(from: Agency, to: Agency) throws -> [UInt8] {
        var random = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
        guard FileManager.default.createFile(atPath: keyPath(from: from, to: to), contents: Data(key.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw GatewayError("\(folder): cannot write keys")
        }
        return Array(key.utf8)
    }

    /// The start of a configuration: agency, address, ledger, mappings and drop folder.
    func head(_ agency: Agency) -> String {
        let me = agency.rawValue.lowercased()
        return """
            agency: \(agency.rawValue)
            listen: 127.0.0.1:\(ports[agency]!)
            admin: { listen: 127.0.0.1:0 }
            store: \(postgres[agency].map { "{ url: '\($0.url)', tls: disable, replica: bench }" } ?? "{ path: \(me)/ledger.sqlite, synchronous: \(synchronous) }")
            mappings: \(mappings.path)
            delivery: { folder: \(me)/incoming, vacancy: \(me) }

            """
    }

    /// A receiver that takes vacancies from `sender` and sends nothing.
    func receiverConfiguration(_ agency: Agency, from sender: Agency) -> String {
        head(agency) + """
            peers:
              \(sender.rawValue):
                receiveKeyFile: \(keyPath(from: sender, to: agency))
                receive: [vacancy]

            """
    }

    func write(_ agency: Agency, configuration: String) throws {
        try Data(configuration.utf8).write(to: URL(fileURLWithPath: LocalFiles.join(folder, "\(agency.rawValue.lowercased()).yaml")))
    }

    func serve(_ agency: Agency) throws -> ChildProcess {
        try ChildProcess.start(executable, ["serve", "--config", LocalFiles.join(folder, "\(agency.rawValue.lowercased()).yaml")],
                               stdout: path(agency, "out.log"), stderr: path(agency, "err.log"))
    }

    func url(_ agency: Agency) -> String { "http://127.0.0.1:\(ports[agency]!)" }

    func waitForHealth(_ agency: Agency, child: ChildProcess) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if kill(child.pid, 0) != 0 { break }
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url(agency) + "/exchange/v1/health"), timeout: .seconds(2)),
               response.status == .ok { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw GatewayError("\(agency)'s gateway did not start; its log: \(path(agency, "err.log"))")
    }

    func ledger(_ agency: Agency) async throws -> any LedgerStore {
        if let settings = postgres[agency] { return try await StoreLocation.postgres(settings).open(payloadKey: nil, lease: Lease(replica: "bench")) }
        return try SQLiteStore(path: path(agency, "ledger.sqlite"))
    }
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
