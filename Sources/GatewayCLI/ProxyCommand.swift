import ArgumentParser
import Foundation
import Gateway
import Hummingbird
import Logging
import ServiceLifecycle

struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Stand in front of a gateway's replicas: each request to the next replica in turn, skipping one that does not answer.",
        discussion: """
            For a local setup of several replicas of one gateway on one PostgreSQL ledger, and for \
            the tests (deploy/replicas/README.md); in production the agency's own load balancer \
            does this. A replica that refuses the connection, or breaks off before answering, is \
            skipped and the next one asked: every call of the exchange protocol may be made again \
            (a batch stored by the replica that broke off is answered by another with its receipt). \
            When no replica answers: 502 with Retry-After. SIGTERM or SIGINT stops it.

            Example:
              gateway proxy --listen 127.0.0.1:8400 --to http://127.0.0.1:8401 --to http://127.0.0.1:8411
            """)

    @Option(help: ArgumentHelp("Where to listen (host:port).", valueName: "host:port")) var listen: String
    @Option(name: .customLong("to"), help: ArgumentHelp("A replica's base URL (give it once per replica).", valueName: "url")) var replicas: [String]

    func validate() throws {
        let parts = listen.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]), (0...65535).contains(port) else { throw ValidationError("--listen: expected host:port, got '\(listen)'") }
        guard !replicas.isEmpty else { throw ValidationError("--to: name at least one replica") }
        for url in replicas {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil, parsed.path.isEmpty || parsed.path == "/" else {
                throw ValidationError("--to \(url): expected a replica's base URL such as http://127.0.0.1:8401")
            }
        }
    }

    func run() async throws {
        let parts = listen.split(separator: ":")
        var logger = Logger(label: "gateway.proxy")
        logger.logLevel = .notice
        let proxy = ReplicaProxy(replicas: replicas.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 })
        let application = proxy.application(host: String(parts[0]), port: Int(parts[1])!, logger: logger) { url in
            FileHandle.standardError.write(Data("replicas: \(proxy.replicas.joined(separator: ", "))\nproxy listening on \(url)\n".utf8))
        }
        let group = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
