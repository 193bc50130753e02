import Exchange
import Foundation
import Hummingbird
import Ledger
import Logging
import Model
import NIOCore

/// A gateway as a running service: the protocol's routes over the ledger, on the configured address.
public enum GatewayServer {
    /// Every endpoint a running gateway serves: the protocol's, and its metrics.
    public static let endpoints: [(method: String, path: String)] = ReceivingGateway.endpoints + [("GET", "/metrics")]

    /// `deploy/openapi.yaml` of the installation the mappings belong to.
    public static func openAPIDocument(mappings: MappingsFolder) throws -> String {
        let path = URL(fileURLWithPath: mappings.path).deletingLastPathComponent().appendingPathComponent("deploy/openapi.yaml").path
        guard let text = String(validating: try LocalFiles.bytes(path), as: UTF8.self) else { throw GatewayError("\(path): not valid UTF-8") }
        return text
    }

    /// The application for a configuration; `onRunning` hears the address it is bound to.
    public static func application(_ configuration: GatewayConfiguration, mappings: MappingsFolder,
                                   onRunning: @escaping @Sendable (String) -> Void = { _ in }) throws -> some ApplicationProtocol {
        let store = try SQLiteStore(path: configuration.store)
        let taxonomy = try TaxonomyInForce.load(mappings: mappings, store: store)
        let catalog = try mappings.formatCatalog()
        for (type, name) in configuration.deliveryFormats where catalog.format(name, type: type) == nil {
            throw GatewayError("delivery.\(type.rawValue): no format '\(name)' holds \(type.rawValue) records (known: \(catalog.names.joined(separator: ", ")))")
        }
        var logger = Logger(label: "gateway.\(configuration.agency.rawValue.lowercased())")
        logger.logLevel = .info
        let delivery = BackOfficeDelivery(agency: configuration.agency, backOffice: configuration.backOffice, formats: configuration.deliveryFormats,
                                          catalog: catalog, taxonomy: taxonomy, ledger: store)
        let deliveryLogger = logger
        let admission = Admission(capacity: configuration.receivingCapacity)
        let metrics = GatewayMetrics()
        let router = Router()
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        ReceivingGateway(agency: configuration.agency, peers: configuration.receivingPeers, store: store, taxonomy: taxonomy,
                         afterReceipt: { batchId in
                             do { try await delivery.deliver(batchId) } catch {
                                 deliveryLogger.error("delivery to the back office failed; it is tried again", metadata: ["batch": "\(batchId)", "error": "\(error)"])
                             }
                         }, observer: metrics, admission: admission)
            .addRoutes(to: router, openAPI: try openAPIDocument(mappings: mappings))
        var app = Application(router: router, configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
                              onServerRunning: { channel in
                                  let port = channel.localAddress?.port ?? configuration.port
                                  onRunning("http://\(configuration.host):\(port)")
                              }, logger: logger)
        var sendingPeers: [Agency: Dispatcher.Peer] = [:]
        for (agency, peer) in configuration.peers {
            if let url = peer.url, let key = peer.sendKey {
                sendingPeers[agency] = .init(url: url, signer: RequestSignature(key: key), policy: peer.retry, timeout: peer.timeout)
            }
        }
        var dispatcherLogger = logger
        dispatcherLogger[metadataKey: "component"] = "dispatcher"
        app.addServices(DispatcherService(dispatcher: Dispatcher(agency: configuration.agency, store: store, peers: sendingPeers,
                                                                 logger: dispatcherLogger, observer: metrics)))
        var backOfficeLogger = logger
        backOfficeLogger[metadataKey: "component"] = "back office"
        app.addServices(BackOfficeService(delivery: delivery, logger: backOfficeLogger))
        // Last added, first told: new batches get 503 before anything else stops.
        app.addServices(ShutdownNotice { admission.beginShutdown() })
        return app
    }
}
