import Foundation
import Hummingbird
import Logging
import Model
import ServiceLifecycle
import UnixSignals

/// Several agencies' gateways run in one process on loopback, each with its own ledger and
/// folders: the demo's network, and the tests' when they are not about crashes.
public final class LocalNetwork: Sendable {
    public let nodes: [Agency: GatewayNode]
    /// Each gateway's exchange URL, as bound.
    public let urls: [Agency: String]
    /// Each gateway's admin URL (operators and staff: `/admin`, `/stats`, `/dashboard`, `/metrics`).
    public let adminURLs: [Agency: String]
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    private init(nodes: [Agency: GatewayNode], urls: [Agency: String], adminURLs: [Agency: String], group: ServiceGroup, running: Task<Void, any Error>) {
        self.nodes = nodes
        self.urls = urls
        self.adminURLs = adminURLs
        self.group = group
        self.running = running
    }

    /// Gives each configuration a free loopback port and points its peers' URLs at theirs.
    public static func onFreePorts(_ configurations: [GatewayConfiguration]) throws -> [GatewayConfiguration] {
        var ports: [Agency: Int] = [:]
        for c in configurations { ports[c.agency] = try freePort() }
        return configurations.map { c in
            var c = c
            c.host = "127.0.0.1"
            c.port = ports[c.agency]!
            c.admin.host = "127.0.0.1"
            c.admin.port = 0
            for (agency, peer) in c.peers where peer.url != nil {
                if let port = ports[agency] { c.peers[agency]!.url = "http://127.0.0.1:\(port)" }
            }
            return c
        }
    }

    /// Builds and starts the gateways; returns once every one listens. `clock` is the time they all
    /// keep (the synthetic year runs them in 2019).
    public static func start(_ configurations: [GatewayConfiguration], mappings: MappingsFolder, scheduledPickup: Bool = true,
                             logLevel: Logger.Level = .warning, clock: @escaping @Sendable () -> Date = { Date() },
                             logs: (@Sendable (String) -> any LogHandler)? = nil) async throws -> LocalNetwork {
        var nodes: [Agency: GatewayNode] = [:]
        for c in configurations { nodes[c.agency] = try await GatewayNode(c, mappings: mappings, logLevel: logLevel, clock: clock, logs: logs) }
        let (bound, announce) = AsyncStream<(Agency, admin: Bool, String)>.makeStream()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        for (agency, node) in nodes {
            for service in try node.services(scheduledPickup: scheduledPickup, onRunning: { url in announce.yield((agency, false, url)) },
                                             onAdminRunning: { url in announce.yield((agency, true, url)) }) {
                services.append(.init(service: service))
            }
        }
        var logger = logs.map { Logger(label: "gateway.network", factory: $0) } ?? Logger(label: "gateway.network")
        logger.logLevel = logLevel
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [], logger: logger))
        // The announcements end when the group does: a gateway that cannot bind its port stops
        // the group, and the start throws its error instead of waiting for a URL that never comes.
        let running = Task {
            defer { announce.finish() }
            try await group.run()
        }
        var urls: [Agency: String] = [:], adminURLs: [Agency: String] = [:]
        for await (agency, admin, url) in bound {
            if admin { adminURLs[agency] = url } else { urls[agency] = url }
            if urls.count == nodes.count && adminURLs.count == nodes.count { break }
        }
        guard urls.count == nodes.count && adminURLs.count == nodes.count else {
            try await running.value
            throw GatewayError("the gateways stopped before they all listened")
        }
        return LocalNetwork(nodes: nodes, urls: urls, adminURLs: adminURLs, group: group, running: running)
    }

    /// Waits until nothing is left to do: every outbox empty (delivered or failed), every batch
    /// received handed to its back office. False if `timeout` passes first.
    public func waitUntilQuiet(timeout: Duration = .seconds(30)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var busy = false
            for node in nodes.values {
                if try await node.store.queuedCount() > 0 { busy = true }
                if try await !node.store.undeliveredBatches().isEmpty { busy = true }
            }
            if !busy { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Stops every gateway gracefully (batches in flight finish) and waits for them, at most
    /// `timeout`: a gateway that has not stopped by then is cancelled, and the error names the
    /// services it was still running.
    public func stop(timeout: Duration = .seconds(60)) async throws {
        await group.triggerGracefulShutdown()
        let running = self.running, nodes = self.nodes
        // The services still running when the time is up (nil: all stopped in time).
        let stuck = await withTaskGroup(of: [String]?.self) { group in
            group.addTask { _ = try? await running.value; return nil }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nodes.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key): \($0.value.activeServices.running.joined(separator: ", "))" }
            }
            let first = await group.next()!
            if first != nil { running.cancel() }   // so that the wait above ends too
            group.cancelAll()
            return first
        }
        guard let stuck else { try await running.value; return }
        throw GatewayError("the gateways did not stop within \(timeout) of the request; cancelled. Still running: \(stuck.joined(separator: "; "))")
    }

    /// Runs until the process is asked to stop (SIGINT, SIGTERM), then stops gracefully.
    /// What was printed before reaches its reader first: standard output is block-buffered when it
    /// is a file or a pipe (`gateway year --keep-running > figures.txt`).
    public func runUntilSignalled() async throws {
        fflush(nil)   // every stream: stdout is a C global Swift 6 will not touch
        for await _ in await UnixSignalsSequence(trapping: [.sigint, .sigterm]) { break }
        try await stop()
    }
}
