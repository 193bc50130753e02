import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

extension GatewayNode {
    /// Reads the configuration file again and puts its keys, certificates and tokens in force
    /// (`LiveCredentials.apply`); a file that does not read, or a key or certificate that does not,
    /// changes nothing and is the error. `SIGHUP` and `POST /admin/v1/reload` call it.
    public func reload() async throws -> ReloadReport {
        guard let source = configuration.source else { throw GatewayError("this gateway was not started from a configuration file: nothing to read again") }
        let report = try credentials.apply(try GatewayConfiguration.load(source.file, base: source.base), running: configuration, now: clock())
        logger.notice("keys, certificates and tokens read again", metadata: [
            "keys": "\(report.keys.map { "\($0.direction): \($0.inForce)" }.joined(separator: "; "))",
            "operators": "\(report.operators)",
            "restart needed for": "\(report.needsRestart.isEmpty ? "nothing" : report.needsRestart.joined(separator: ", "))",
        ])
        return report
    }
}

/// Reads the keys, certificates and tokens again at every `SIGHUP` (`GatewayNode.reload`); a
/// reload that fails is logged and leaves the gateway as it was.
struct ReloadService: Service, CustomStringConvertible {
    var description: String { "the reload on SIGHUP" }
    let node: GatewayNode

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                do { _ = try await node.reload() } catch {
                    node.logger.error("the configuration was not read again; the keys, certificates and tokens in force stay", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
