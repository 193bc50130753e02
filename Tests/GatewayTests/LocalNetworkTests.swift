import Foundation
import Gateway
import Hummingbird
import LedgerTestSupport
import Testing

@Suite("Gateways in one process on loopback", .bounded)
struct LocalNetworkTests {
    @Test("a gateway whose port is taken stops the network's start with the bind error, at once; the start never waits for an address that cannot come")
    func portTaken() async throws {
        let temp = TemporaryFolder()
        let configurations = try Demo(project: Project.root, folder: temp.path("demo")) { _ in }.configurations()
        let vdab = try #require(configurations.first { $0.agency == .vdab })
        // Something else listens on VDAB's exchange port first.
        let squatter = try await Listening.start("a server on VDAB's port") { announce in
            try await Application(router: Router(), configuration: .init(address: .hostname("127.0.0.1", port: vdab.port)),
                                  onServerRunning: { _ in announce("http://127.0.0.1:\(vdab.port)") }).runService()
        }
        defer { squatter.task.cancel() }
        let started = ContinuousClock.now
        await #expect(throws: (any Error).self) {
            _ = try await LocalNetwork.start(configurations, mappings: Project.mappings, scheduledPickup: false)
        }
        // Alone it fails in well under a second; under the whole suite on 2 cores the other four
        // gateways' start took 21 s once (2026-12-08). The fault this guards against waited for ever.
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test("free ports are never handed out twice in a process, and lie below the kernel's ephemeral range")
    func freePorts() throws {
        let ports = try (0..<200).map { _ in try LocalNetwork.freePort() }
        #expect(Set(ports).count == ports.count)
        #expect(ports.allSatisfy { (20_000..<32_768).contains($0) })
    }
}
