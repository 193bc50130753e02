import Exchange
import Foundation
import Hummingbird
import Ledger
import Logging
import NIOCore

/// A gateway as a running service: the protocol's routes over the ledger, on the configured address.
public enum GatewayServer {
    /// The application for a configuration; `onRunning` hears the address it is bound to.
    public static func application(_ configuration: GatewayConfiguration, mappings: MappingsFolder,
                                   onRunning: @escaping @Sendable (String) -> Void = { _ in }) throws -> some ApplicationProtocol {
        let taxonomy = try TaxonomyInForce.load(mappings: mappings, storePath: configuration.store)
        let store = try SQLiteStore(path: configuration.store)
        let router = Router()
        ReceivingGateway(agency: configuration.agency, peers: configuration.receivingPeers, store: store, taxonomy: taxonomy)
            .addRoutes(to: router)
        var logger = Logger(label: "gateway.\(configuration.agency.rawValue.lowercased())")
        logger.logLevel = .info
        return Application(router: router, configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
                           onServerRunning: { channel in
                               let port = channel.localAddress?.port ?? configuration.port
                               onRunning("http://\(configuration.host):\(port)")
                           }, logger: logger)
    }
}
