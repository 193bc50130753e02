import ArgumentParser
import Files
import Foundation
import Gateway
import Hummingbird

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run this agency's gateway: receive batches from the peers, sign, check, store, answer receipts.",
        discussion: """
            The configuration file names the agency, the address to listen on, the store and the peers \
            (their URL, the files holding the keys of each pair, the record types agreed each way). \
            Keys are never in the file; a key file readable by others stops the start. The exchange \
            (/exchange/v1/…) listens on `listen`, with TLS and mutual TLS when `tls:` says so; the \
            operators' and staff's routes (/admin, /stats, /dashboard, /metrics, /openapi.yaml) on \
            `admin.listen` (127.0.0.1 by default). SIGHUP reads the keys, certificates and operators' \
            tokens again without dropping a batch. SIGTERM or SIGINT stops accepting, finishes the \
            batches in flight, and exits.

            Example:
              gateway serve --config deploy/local/vdab.yaml
              curl http://127.0.0.1:8401/exchange/v1/health
              kill -HUP <pid>          # after a key or certificate file changed
            """)

    @Option(help: ArgumentHelp("The gateway's configuration (YAML).", valueName: "file")) var config: String

    func run() async throws {
        MallocArenas.limit(2)
        let configuration: GatewayConfiguration
        let mappings: MappingsFolder
        do {
            configuration = try GatewayConfiguration.load(config)
            mappings = try MappingsFolder.locate(explicit: configuration.mappings)
            // A peer the agency directory does not know is a setting's fault: said before the ledger opens.
            try configuration.check(agencies: mappings.agencyDirectory())
        } catch {
            FileHandle.standardError.write(Data("gateway serve: \(error)\n".utf8))
            throw ExitCode(2)
        }
        // The listeners' addresses tried first: a port in use is said with its address, and nothing starts.
        for (setting, host, port) in [("listen", configuration.host, configuration.port), ("admin.listen", configuration.admin.host, configuration.admin.port)] {
            if let problem = ListenCheck.problem(host: host, port: port) {
                FileHandle.standardError.write(Data("gateway serve: cannot listen: \(problem); or change \(setting) in \(config)\n".utf8))
                throw ExitCode(2)
            }
        }
        let agency = configuration.agency
        PrivateFiles.restrictUmask(configuration.fileModes)
        let node: GatewayNode
        do { node = try await GatewayNode(configuration, mappings: mappings) } catch {
            // The ledger cannot be opened (a PostgreSQL server down, a user refused, a migration newer
            // than this gateway) or the taxonomy in it cannot be read: said once, plainly.
            FileHandle.standardError.write(Data("gateway serve: \(error)\n".utf8))
            throw ExitCode(1)
        }
        FileHandle.standardError.write(Data("ledger: \(configuration.store.description), replica \(configuration.replica)\n".utf8))
        try await node.run(onRunning: { url in
            FileHandle.standardError.write(Data("\(agency) gateway listening on \(url)\n".utf8))
        }, onAdminRunning: { url in
            FileHandle.standardError.write(Data("\(agency) admin listening on \(url)\n".utf8))
        })
    }
}
