import ExchangeHTTP
import ExchangeProtocol
import Files
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Ledger
import Logging
import Model
import NIOCore
import NIOSSL
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
    /// Staff signed in to the dashboard (kept in memory: a restart signs everyone out).
    public let sessions: StaffSessions
    /// Refused tokens, counted by source and minute for the audit log; wrong sign-ins by source.
    public let refusals = RefusalTally()
    public let signIns = SignInThrottle()
    public let logger: Logger
    /// The listeners' open connections, by holder, within the `ConnectionLimits`: the exchange's
    /// knows the peers by their networks and certificates; on the admin listener all are strangers.
    public let connections: ConnectionTable
    public let adminConnections: ConnectionTable
    /// The keys, certificates and tokens in force, read again by `reload()`.
    public let credentials: LiveCredentials
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
        try configuration.check(agencies: catalog.agencies)
        for (type, name) in configuration.deliveryFormats where catalog.format(name, type: type) == nil {
            throw GatewayError("delivery.\(type.rawValue): no format '\(name)' holds \(type.rawValue) records (known: \(catalog.names.joined(separator: ", ")))")
        }
        let credentials = try LiveCredentials(configuration)
        self.credentials = credentials
        for warning in configuration.insecure { logger.warning("allowed in clear text by the configuration", metadata: ["setting": "\(warning)"]) }
        let deliveryLogger = logger
        var backOffice = BackOfficeDelivery(agency: configuration.agency, backOffice: configuration.backOffice, formats: configuration.deliveryFormats,
                                            catalog: catalog, taxonomy: taxonomy, ledger: store)
        backOffice.access = credentials.delivery
        backOffice.fileModes = configuration.fileModes
        let delivery = backOffice
        self.delivery = delivery
        let metrics = GatewayMetrics(peers: Set(configuration.peers.keys))
        self.metrics = metrics
        let peersInForce = credentials.receiving
        self.connections = ConnectionTable(limits: configuration.connectionLimits, identify: { address, certificate in
            peersInForce.value.first { _, peer in
                certificate.map { c in peer.certificate?.admits(c) ?? false } ?? (!peer.networks.isEmpty && peer.admits(address))
            }?.key
        }, closed: { metrics.connectionClosed(listener: "exchange", because: $0) })
        self.adminConnections = ConnectionTable(limits: configuration.connectionLimits, closed: { metrics.connectionClosed(listener: "admin", because: $0) })
        // The floor is measured where received batches are written: the SQLite ledger's folder and
        // the back office's drop folder (a PostgreSQL ledger's disk is its server's to watch).
        var watched: [String] = []
        if let path = configuration.sqlitePath { watched.append(URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        if case .dropFolder(let folder) = configuration.backOffice { watched.append(folder) }
        let floorFolders = watched
        let admission = Admission(capacity: configuration.receivingCapacity, perPeer: configuration.receivingPerPeer, quota: configuration.receivingQuota,
                                  diskFloor: Int64(configuration.freeDiskMegabytes) << 20, freeSpace: { FreeSpace.least(of: floorFolders) })
        self.admission = admission
        self.receiving = ReceivingGateway(agency: configuration.agency, directory: credentials.receiving, store: store, taxonomy: taxonomy, clock: clock,
                                          afterReceipt: { stored in
                                              await delivery.deliverBehindReceipt(stored, now: clock()) { error in
                                                  deliveryLogger.error("delivery to the back office failed; it is tried again", metadata: ["batch": "\(stored.batchId)", "error": "\(error)"])
                                              }
                                          }, observer: metrics, admission: admission, delivery: delivery, agencies: catalog.agencies)
        self.openAPI = try GatewayServer.openAPIDocument(mappings: mappings)
        self.sessions = StaffSessions(secure: configuration.admin.tls != nil)
        var dispatcherLogger = logger
        dispatcherLogger[metadataKey: "component"] = "dispatcher"
        self.dispatcher = Dispatcher(agency: configuration.agency, store: store, directory: credentials.sending, logger: dispatcherLogger, observer: metrics)
        self.reconciliation = Reconciliation(agency: configuration.agency, store: store, directory: credentials.sending)
        self.resubmission = Resubmission(agency: configuration.agency, store: store, catalog: catalog, taxonomy: taxonomy,
                                         peers: configuration.peers.mapValues { PickupPlan.Peer(sends: $0.sends, encoding: $0.encoding, batchRecords: $0.batchRecords) })
        if let settings = configuration.pickup {
            var pickupLogger = logger
            pickupLogger[metadataKey: "component"] = "pickup"
            var pickup = Pickup(agency: configuration.agency, settings: settings,
                                peers: configuration.peers.mapValues { PickupPlan.Peer(sends: $0.sends, encoding: $0.encoding, batchRecords: $0.batchRecords) },
                                routing: configuration.routing, catalog: catalog, taxonomy: taxonomy, store: store, logger: pickupLogger)
            pickup.access = credentials.pickup
            pickup.fileModes = configuration.fileModes
            for type in settings.formats.keys { _ = try pickup.format(type) }
            self.pickup = pickup
        } else {
            self.pickup = nil
        }
    }

    /// The exchange's listener (`listen`, with `tls`): the protocol's routes only, and the
    /// gateway's services — the dispatcher, the back-office catch-up, the scheduled pick-up (unless
    /// `scheduledPickup` is false: the demo runs it itself), retention, reconcile and the reload on
    /// `SIGHUP`. `onRunning` hears the bound address.
    public func application(scheduledPickup: Bool = true, onRunning: @escaping @Sendable (String) -> Void = { _ in }) throws -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: KnownRoutes(ReceivingGateway.endpoints))
        receiving.addRoutes(to: router)
        let listener = GatewayConfiguration.Listener(host: configuration.host, port: configuration.port, tls: configuration.tls)
        var app = try Self.listening(router: router, on: listener, served: credentials.exchangeCertificate, limits: configuration.connectionLimits,
                                     connections: connections, logger: logger, onRunning: onRunning)
        let active = activeServices, clock = self.clock
        app.addServices(active.tracking(DispatcherService(dispatcher: dispatcher, clock: clock)))
        var backOfficeLogger = logger
        backOfficeLogger[metadataKey: "component"] = "back office"
        app.addServices(active.tracking(BackOfficeService(delivery: delivery, clock: clock, logger: backOfficeLogger)))
        if scheduledPickup, let pickup, let settings = configuration.pickup {
            app.addServices(active.tracking(PickupService(pickup: pickup, schedule: settings.schedule, clock: clock)))
        }
        app.addServices(active.tracking(RetentionService(store: store, payloadDays: configuration.payloadDays, batchDays: configuration.batchDays,
                                                                   auditDays: configuration.auditDays, clock: clock, logger: logger)))
        if let reconcile = configuration.reconcile {
            var reconcileLogger = logger
            reconcileLogger[metadataKey: "component"] = "reconcile"
            app.addServices(active.tracking(ReconcileService(reconciliation: reconciliation, every: reconcile.every, window: reconcile.window,
                                                             metrics: metrics, logger: reconcileLogger)))
        }
        if configuration.source != nil { app.addServices(active.tracking(ReloadService(node: self))) }
        return app
    }

    /// The operators' and staff's listener (`admin.listen`, with `admin.tls`): `/admin/v1/…`,
    /// `/stats/…`, `/dashboard`, `/metrics` and `/openapi.yaml`. `onRunning` hears its address.
    public func adminApplication(onRunning: @escaping @Sendable (String) -> Void = { _ in }) throws -> some ApplicationProtocol {
        let metrics = self.metrics, document = openAPI, sessions = self.sessions, admission = self.admission
        let router = Router()
        router.add(middleware: PrivateAnswers())
        router.add(middleware: KnownRoutes(GatewayServer.adminEndpoints))
        router.get("/metrics") { _, _ in
            metrics.diskSpace(free: admission.measureFreeSpace(), floor: admission.diskFloor)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: document)))
        }
        var admin = AdminRoutes(store: store, resubmission: resubmission, reconciliation: reconciliation, tokens: credentials.tokens,
                                reload: { try await reload() })
        admin.refusals = refusals
        admin.addRoutes(to: router)
        var statistics = StatisticsRoutes(agency: configuration.agency, store: store, taxonomy: receiving.taxonomy, tokens: credentials.tokens, sessions: sessions)
        statistics.minimumCell = configuration.minimumCell
        statistics.refusals = refusals
        statistics.signIns = signIns
        statistics.addRoutes(to: router)
        var app = try Self.listening(router: router, on: configuration.admin, served: credentials.adminCertificate, limits: configuration.connectionLimits,
                                     connections: adminConnections, logger: logger, onRunning: onRunning)
        app.addServices(activeServices.tracking(RefusalCountService(tally: refusals, store: store, logger: logger)))
        return app
    }

    /// An application of `router` on `listener`: HTTP/1 with the connection limits, over TLS where
    /// the listener has it (its certificate taken from `served` at every handshake).
    static func listening(router: Router<BasicRequestContext>, on listener: GatewayConfiguration.Listener, served: Reloadable<LoadedCertificate>?,
                          limits: ConnectionLimits, connections: ConnectionTable, logger: Logger,
                          onRunning: @escaping @Sendable (String) -> Void) throws -> Application<RouterResponder<BasicRequestContext>> {
        let http = HTTP1Channel.Configuration(additionalChannelHandlers: [ConnectionGuard(table: connections, tls: listener.tls != nil), ClientCertificateHandler()],
                                              idleTimeout: limits.idleTimeout)
        var server = HTTPServerBuilder.http1(configuration: http)
        if let tls = listener.tls, let served {
            server = try .tls(server, tlsConfiguration: try tls.configuration(served: served))
        }
        return Application(router: router, server: server, configuration: .init(address: .hostname(listener.host, port: listener.port)),
                           onServerRunning: { channel in onRunning(listener.url(port: channel.localAddress?.port)) }, logger: logger)
    }

    /// The two listeners and, after them, the notice that turns a graceful shutdown into 503
    /// answers: a service group tells its services to stop in reverse order, so new batches are
    /// refused before the servers stop accepting and the batches in flight finish.
    public func services(scheduledPickup: Bool = true, onRunning: @escaping @Sendable (String) -> Void = { _ in },
                         onAdminRunning: @escaping @Sendable (String) -> Void = { _ in }) throws -> [any Service] {
        let admission = self.admission
        return [activeServices.tracking(try application(scheduledPickup: scheduledPickup, onRunning: onRunning)),
                activeServices.tracking(try adminApplication(onRunning: onAdminRunning)),
                ShutdownNotice { admission.beginShutdown() }]
    }

    /// Runs the gateway until SIGTERM or SIGINT, then stops gracefully.
    public func run(onRunning: @escaping @Sendable (String) -> Void = { _ in }, onAdminRunning: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        let group = ServiceGroup(configuration: .init(services: try services(onRunning: onRunning, onAdminRunning: onAdminRunning),
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// A gateway as a running service: the protocol's routes over the ledger, on the configured address.
public enum GatewayServer {
    /// Every endpoint a running gateway serves: the protocol's on the exchange's listener, and the
    /// operators' and staff's on the admin listener.
    public static let endpoints: [(method: String, path: String)] = ReceivingGateway.endpoints + adminEndpoints
    /// The admin listener's endpoints.
    public static let adminEndpoints: [(method: String, path: String)] = [("GET", "/metrics"), ("GET", "/openapi.yaml")] + AdminRoutes.endpoints
        + StatisticsRoutes.endpoints

    /// `deploy/openapi.yaml` of the installation the mappings belong to.
    public static func openAPIDocument(mappings: MappingsFolder) throws -> String {
        let path = URL(fileURLWithPath: mappings.path).deletingLastPathComponent().appendingPathComponent("deploy/openapi.yaml").path
        guard let text = String(validating: try LocalFiles.bytes(path), as: UTF8.self) else { throw GatewayError("\(path): not valid UTF-8") }
        return text
    }

}
