import AsyncHTTPClient
import ExchangeProtocol
import NIOCore

/// The one configuration of every HTTP call this gateway makes — to peers, to the back office, to
/// an export — so that a rule about them is written once:
/// - no redirect is followed (`exchange-protocol.md`, Sending: a 3xx answer is a failed attempt; a
///   signed batch or a trainee document is never sent on to where an answer points);
/// - explicit timeouts: a connection is given `connect`, and every call its own deadline besides
///   (the peer's `limits.timeout`, the back office's 30 s, the export's 60 s);
/// - bodies as sent: no decompression, so no answer grows inside the gateway;
/// - a pooled connection idle for `pooledIdle` (20 s) is closed by this side, before a gateway's
///   listener closes it (its idle timeout is 30 s, `ConnectionLimits.idleTimeout`): with
///   AsyncHTTPClient's 60 s, a batch sent 30–60 s after the last one could go out on a connection
///   the peer was closing at that moment, and fail with `remoteConnectionClosed`;
/// - TLS as AsyncHTTPClient sets it up by default (the system's trust store, certificates and host
///   names checked); its settings go here as they come.
public enum OutgoingHTTP {
    /// How long a pooled connection may wait for its next request (less than a listener's idle timeout).
    public static let pooledIdle: TimeAmount = .seconds(20)

    /// The settings every outgoing client starts from.
    public static func configuration(connect: TimeAmount = .seconds(10)) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: connect, read: .seconds(120))
        configuration.connectionPool.idleTimeout = pooledIdle
        return configuration
    }

    /// The client of the whole process (like `HTTPClient.shared`, it is never shut down).
    public static let shared = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration())
}
