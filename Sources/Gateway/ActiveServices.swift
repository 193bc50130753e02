import ServiceLifecycle
import Synchronization

/// The services of a gateway that are running now, by description: what a stop that does not
/// finish is waiting for.
public final class ActiveServices: Sendable {
    private let names = Mutex<[String: Int]>([:])
    public init() {}

    /// The services running, sorted.
    public var running: [String] { names.withLock { $0.filter { $0.value > 0 }.keys.sorted() } }

    /// `service`, counted while it runs.
    func tracking(_ service: any Service) -> any Service { Tracked(service: service, registry: self) }

    private struct Tracked: Service {
        let service: any Service
        let registry: ActiveServices
        func run() async throws {
            let name = String(describing: service)
            registry.names.withLock { $0[name, default: 0] += 1 }
            defer { registry.names.withLock { $0[name, default: 1] -= 1 } }
            try await service.run()
        }
    }
}
