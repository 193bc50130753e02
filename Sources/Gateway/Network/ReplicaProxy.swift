import AsyncHTTPClient
import ExchangeHTTP
import ExchangeProtocol
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// A small reverse proxy in front of one gateway's replicas, for a local setup and the tests
/// (`gateway proxy`; in production an agency's own load balancer stands here). Each request goes
/// to the next replica in turn; one that cannot be reached, or breaks off before answering, is
/// skipped and the next one is asked — safe, because every call of the protocol may be made again:
/// a batch already stored by the replica that broke off is answered by another with the same
/// receipt, from the shared ledger. When none answers, the sender is told to come back (502 with
/// `Retry-After`).
///
/// Its listener keeps the gateway's connection limits (`ConnectionLimits`: per address, header
/// timeout, minimum rate). A body is held in memory, so that another replica can be asked with it,
/// only while all the bodies held stay within `bufferBudget`; past it a body is streamed to one
/// replica as it comes, and a failure is a 502 to retry.
public struct ReplicaProxy: Sendable {
    /// The replicas' base URLs.
    public let replicas: [String]
    public var timeout: Duration = .seconds(60)
    /// The largest request body forwarded: a batch of the protocol's 16 MiB, with room.
    public static let maximumBody = 24 << 20
    public var limits = ConnectionLimits()
    /// The bytes of bodies held at once (the rest are streamed).
    public let bufferBudget: Int
    private let turn = Turn()
    let held: BodyBudget
    let connections: ConnectionTable

    public init(replicas: [String], bufferBudget: Int = 32 << 20, limits: ConnectionLimits = ConnectionLimits()) {
        self.replicas = replicas
        self.bufferBudget = bufferBudget
        self.limits = limits
        self.held = BodyBudget(bytes: bufferBudget)
        self.connections = ConnectionTable(limits: limits)
    }

    /// The proxy's HTTP client: a replica that refuses the connection fails the request at once
    /// (AsyncHTTPClient's default is to keep trying to connect until the request's deadline, which
    /// would wait on a dead replica instead of asking the next one), and a connection is given 2 s;
    /// otherwise the gateway's outgoing settings (a redirect is passed back, not followed).
    static let client: HTTPClient = {
        var configuration = OutgoingHTTP.configuration(connect: .seconds(2))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Hop-by-hop headers, which concern one connection and are not passed on.
    static let hopByHop: Set<String> = ["connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization",
                                        "proxy-authenticate", "host", "content-length"]

    public func application(host: String, port: Int, logger: Logger, onRunning: @escaping @Sendable (String) -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router()
        router.middlewares.add(ProxyMiddleware(proxy: self, logger: logger))
        let http = HTTP1Channel.Configuration(additionalChannelHandlers: [ConnectionGuard(table: connections, tls: false)], idleTimeout: limits.idleTimeout)
        return Application(router: router, server: .http1(configuration: http), configuration: .init(address: .hostname(host, port: port)),
                           onServerRunning: { channel in onRunning("http://\(host):\(channel.localAddress?.port ?? port)") }, logger: logger)
    }

    /// Forwards one request, trying each replica at most once, starting with the next in turn; a
    /// body past the budget goes, streamed, to one replica only.
    func forward(_ request: Request, logger: Logger) async throws -> Response {
        let declared = request.headers[.contentLength].flatMap(Int.init)
        if let declared, declared > Self.maximumBody {
            return Self.problem(.contentTooLarge, "Body too large", "the proxy forwards bodies of at most \(Self.maximumBody) bytes", retry: false)
        }
        // Held: the declared length, or the largest body when none is declared.
        let hold = declared ?? Self.maximumBody
        guard held.take(hold) else { return await stream(request, length: declared, logger: logger) }
        defer { held.give(hold) }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: Self.maximumBody) } catch {
            return Self.problem(.contentTooLarge, "Body too large", "the proxy forwards bodies of at most \(Self.maximumBody) bytes", retry: false)
        }
        let first = turn.next(replicas.count)
        var failures: [String] = []
        for offset in 0..<replicas.count {
            let replica = replicas[(first + offset) % replicas.count]
            var outgoing = self.outgoing(request, to: replica)
            outgoing.body = .bytes(body)
            do {
                return try await answer(outgoing)
            } catch {
                failures.append("\(replica): \(String(describing: error).prefix(120))")
                logger.notice("a replica did not answer; the next one is asked", metadata: ["replica": "\(replica)"])
            }
        }
        return Self.problem(.badGateway, "No replica answered", failures.joined(separator: "; "), retry: true)
    }

    /// The request to the next replica, its body passed on as it comes (it cannot be sent twice).
    func stream(_ request: Request, length: Int?, logger: Logger) async -> Response {
        let replica = replicas[turn.next(replicas.count)]
        var outgoing = self.outgoing(request, to: replica)
        outgoing.body = .stream(request.body, length: length.map { .known(Int64($0)) } ?? .unknown)
        do {
            return try await answer(outgoing)
        } catch {
            logger.notice("a replica did not answer a streamed body; the sender is asked to retry", metadata: ["replica": "\(replica)"])
            return Self.problem(.badGateway, "No replica answered", "\(replica): \(String(describing: error).prefix(120))", retry: true)
        }
    }

    func outgoing(_ request: Request, to replica: String) -> HTTPClientRequest {
        var outgoing = HTTPClientRequest(url: replica + request.uri.description)
        outgoing.method = .init(rawValue: request.method.rawValue)
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) {
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        return outgoing
    }

    /// The replica's answer, passed back without its hop-by-hop headers.
    func answer(_ outgoing: HTTPClientRequest) async throws -> Response {
        let response = try await Self.client.execute(outgoing, timeout: .seconds(Int64(timeout.components.seconds)))
        let answer = try await response.body.collect(upTo: Self.maximumBody)
        var headers = HTTPFields()
        for field in response.headers where !Self.hopByHop.contains(field.name.lowercased()) {
            if let name = HTTPField.Name(field.name) { headers.append(HTTPField(name: name, value: field.value)) }
        }
        return Response(status: .init(code: Int(response.status.code)), headers: headers, body: .init(byteBuffer: answer))
    }

    static func problem(_ status: HTTPResponse.Status, _ title: String, _ detail: String, retry: Bool) -> Response {
        var problem = Problem(status, title, detail)
        if retry { problem.headers[.retryAfter] = "1" }
        return problem.response
    }
}

/// Every request, whatever its route, to the replicas.
struct ProxyMiddleware<Context: RequestContext>: RouterMiddleware {
    let proxy: ReplicaProxy
    let logger: Logger
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await proxy.forward(request, logger: logger)
    }
}

/// The bytes of request bodies the proxy holds at once, within its budget.
final class BodyBudget: Sendable {
    let bytes: Int
    private let taken = Mutex(0)
    init(bytes: Int) { self.bytes = bytes }
    /// Takes `n` bytes of the budget if they are free.
    func take(_ n: Int) -> Bool { taken.withLock { t in guard t + n <= bytes else { return false }; t += n; return true } }
    func give(_ n: Int) { taken.withLock { $0 -= n } }
    var held: Int { taken.withLock { $0 } }
}

/// The next replica's turn, across concurrent requests.
private final class Turn: Sendable {
    private let value = Mutex(0)
    func next(_ count: Int) -> Int { value.withLock { n in defer { n += 1 }; return n % max(1, count) } }
}
