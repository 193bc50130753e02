import Exchange
import Foundation
import Hummingbird
import Ledger
import Logging
import Model
import NIOCore
import ServiceLifecycle

/// One agency's gateway, built from its configuration: the ledger, the taxonomy and formats in
/// force, the receiving routes, the back-office delivery, the outbox's dispatcher and the pick-up.
/// `application` runs it all as one service; the demo and tests reach into the parts.
public struct GatewayNode: Sendable {
    public let configuration: GatewayConfiguration
    public let store: any LedgerStore
    public let metrics: GatewayMetrics
    public let delivery: BackOfficeDelivery
    public let dispatcher: Dispatcher
    public let pickup: Pickup?
    public let admission: Admission
    public let receiving: ReceivingGateway
    public let openAPI: String
    public let logger: Logger
    /// The listener's open connections (`ConnectionLimits.maximumConnections` caps them).
    public let connections = ConnectionCount()
    /// The gateway's services running now (what a stop that does not finish waits for).
    public let activeServices = ActiveServices()
    /// Failed batches sent again, rebuilt from their documents (operators).
    public let resubmission: Resubmission
    /// This ledger against the peers' manifests (operators, and the scheduled reconcile).
    public let reconciliation: Reconciliation
    /// The gateway's time: receiving (the signature window, `received_at`), sending, delivering and
    /// picking up all read it. The wall clock, except where a test or the synthetic year sets it.
    public let clock: @Sendable () -> Date

    /// - Parameter clock: the gateway's time (see `clock`).
    /// - Parameter logs: where log lines go (swift-log's default handler when nil): a test collects them.
    public init(_ configuration: GatewayConfiguration, mappings: MappingsFolder, logLevel: Logger.Level = .info,
                clock: @escaping @Sendable () -> Date = { Date() }, logs: (@Sendable (String) -> any LogHandler)? = nil) async throws {
        self.configuration = configuration
        self.clock = clock
        let label = "gateway.\(configuration.agency.rawValue.lowercased())"
        var logger = logs.map { Logger(label: label, factory: $0) } ?? Logger(label: label)
        logger.logLevel = logLevel
        self.logger = logger
        let store = try await configuration.openStore(logger: logger)
        self.store = store
        let taxonomy = try await TaxonomyInForce.load(mappings: mappings, store: store)
        let catalog = try mappings.formatCatalog()
        for (type, name) in configuration.deliveryFormats where catalog.format(name, type: type) == nil {
            throw GatewayError("delivery.\(type.rawValue): no format '\(name)' holds \(type.rawValue) records (known: \(catalog.names.joined(separator: ", ")))")
        }
        let deliveryLogger = logger
        let delivery = BackOfficeDelivery(agency: configuration.agency, backOffice: configuration.backOffice, formats: configuration.deliveryFormats,
                                          catalog: catalog, taxonomy: taxonomy, ledger: store)
        self.delivery = delivery
        let metrics = GatewayMetrics()
        self.metrics = metrics
        let admission = Admission(capacity: configuration.receivingCapacity, perPeer: configuration.receivingPerPeer)
        self.admission = admission
        self.receiving = ReceivingGateway(agency: configuration.agency, peers: configuration.receivingPeers, store: store, taxonomy: taxonomy, clock: clock,
                                          afterReceipt: { stored in
                                              await delivery.deliverBehindReceipt(stored, now: clock()) { error in
                                                  deliveryLogger.error("delivery to the back office failed; it is tried again", metadata: ["batch": "\(stored.batchId)", "error": "\(error)"])
                                              }
                                          }, observer: metrics, admission: admission, delivery: delivery)
        self.openAPI = try GatewayServer.openAPIDocument(mappings: mappings)
        var sendingPeers: [Agency: Dispatcher.Peer] = [:]
        for (agency, peer) in configuration.peers {
            if let url = peer.url, let key = peer.sendKey {
                sendingPeers[agency] = .init(url: url, signer: RequestSignature(key: key), policy: peer.retry, timeout: peer.timeout)
            }
        }
        var dispatcherLogger = logger
        dispatcherLogger[metadataKey: "component"] = "dispatcher"
        self.dispatcher = Dispatcher(agency: configuration.agency, store: store, peers: sendingPeers, logger: dispatcherLogger, observer: metrics)
        self.reconciliation = Reconciliation(agency: configuration.agency, store: store, peers: sendingPeers)
        self.resubmission = Resubmission(agency: configuration.agency, store: store, catalog: catalog, taxonomy: taxonomy,
                                         peers: configuration.peers.mapValues { PickupPlan.Peer(sends: $0.sends, encoding: $0.encoding, batchRecords: $0.batchRecords) })
        if let settings = configuration.pickup {
            var pickupLogger = logger
            pickupLogger[metadataKey: "component"] = "pickup"
            let pickup = Pickup(agency: configuration.agency, settings: settings,
                                peers: configuration.peers.mapValues { PickupPlan.Peer(sends: $0.sends, encoding: $0.encoding, batchRecords: $0.batchRecords) },
                                routing: configuration.routing, catalog: catalog, taxonomy: taxonomy, store: store, logger: pickupLogger)
            for type in settings.formats.keys { _ = try pickup.format(type) }
            self.pickup = pickup
        } else {
            self.pickup = nil
        }
    }

    /// The running gateway: the routes on the configured address, and its services — the
    /// dispatcher, the back-office catch-up and the scheduled pick-up (unless `scheduledPickup` is
    /// false: the demo runs it itself). `onRunning` hears the bound address.
    public func application(scheduledPickup: Bool = true, onRunning: @escaping @Sendable (String) -> Void = { _ in }) -> some ApplicationProtocol {
        let metrics = self.metrics
        let router = Router()
        router.add(middleware: KnownRoutes(GatewayServer.endpoints))
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        receiving.addRoutes(to: router, openAPI: openAPI)
        AdminRoutes(store: store, resubmission: resubmission, reconciliation: reconciliation, tokens: configuration.operators).addRoutes(to: router)
        StatisticsRoutes(agency: configuration.agency, store: store, taxonomy: receiving.taxonomy, tokens: configuration.operators).addRoutes(to: router)
        let configuration = self.configuration
        let clock = self.clock
        let limits = configuration.connectionLimits, connections = self.connections
        var app = Application(router: router,
                              server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionGuard(limits: limits, count: connections)],
                                                                  idleTimeout: limits.idleTimeout)),
                              configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
                              onServerRunning: { channel in
                                  let port = channel.localAddress?.port ?? configuration.port
                                  onRunning("http://\(configuration.host):\(port)")
                              }, logger: logger)
        let active = activeServices
        app.addServices(active.tracking(DispatcherService(dispatcher: dispatcher, clock: clock)))
        var backOfficeLogger = logger
        backOfficeLogger[metadataKey: "component"] = "back office"
        app.addServices(active.tracking(BackOfficeService(delivery: delivery, clock: clock, logger: backOfficeLogger)))
        if scheduledPickup, let pickup, let settings = configuration.pickup {
            app.addServices(active.tracking(PickupService(pickup: pickup, schedule: settings.schedule, clock: clock)))
        }
        if let days = configuration.payloadDays {
            app.addServices(active.tracking(RetentionService(store: store, days: days, logger: logger)))
        }
        if let reconcile = configuration.reconcile {
            var reconcileLogger = logger
            reconcileLogger[metadataKey: "component"] = "reconcile"
            app.addServices(active.tracking(ReconcileService(reconciliation: reconciliation, every: reconcile.every, window: reconcile.window,
                                                             metrics: metrics, logger: reconcileLogger)))
        }
        return app
    }

    /// The application and, after it, the notice that turns a graceful shutdown into 503 answers:
    /// a service group tells its services to stop in reverse order, so new batches are refused
    /// before the server stops accepting and the batches in flight finish.
    public func services(scheduledPickup: Bool = true, onRunning: @escaping @Sendable (String) -> Void = { _ in }) -> [any Service] {
        let admission = self.admission
        return [activeServices.tracking(application(scheduledPickup: scheduledPickup, onRunning: onRunning)), ShutdownNotice { admission.beginShutdown() }]
    }

    /// Runs the gateway until SIGTERM or SIGINT, then stops gracefully.
    public func run(onRunning: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        let group = ServiceGroup(configuration: .init(services: services(onRunning: onRunning), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// A gateway as a running service: the protocol's routes over the ledger, on the configured address.
public enum GatewayServer {
    /// Every endpoint a running gateway serves: the protocol's, and its metrics.
    public static let endpoints: [(method: String, path: String)] = ReceivingGateway.endpoints + [("GET", "/metrics")] + AdminRoutes.endpoints
        + StatisticsRoutes.endpoints

    /// `deploy/openapi.yaml` of the installation the mappings belong to.
    public static func openAPIDocument(mappings: MappingsFolder) throws -> String {
        let path = URL(fileURLWithPath: mappings.path).deletingLastPathComponent().appendingPathComponent("deploy/openapi.yaml").path
        guard let text = String(validating: try LocalFiles.bytes(path), as: UTF8.self) else { throw GatewayError("\(path): not valid UTF-8") }
        return text
    }

}
