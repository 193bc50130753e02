import HTTPTypes
import NIOCore
import NIOHTTPTypes
import NIOSSL
import NIOTLS
import ExchangeHTTP

/// The limits a listener puts on its connections (`receiving:` in the configuration). Each holds
/// a test in `Tests/GatewayTests/SlowSenderTests.swift`.
public struct ConnectionLimits: Sendable, Equatable {
    /// Connections open at once (`receiving.connections`); past it, the one idle the longest is
    /// closed to make room, or the new one as it opens (`ConnectionTable`).
    public var maximumConnections = 256
    /// A stranger's connections from one source address (`receiving.connectionsPerAddress`).
    public var connectionsPerAddress = 32
    /// One known peer's connections (`receiving.connectionsPerPeer`).
    public var connectionsPerPeer = 64
    /// The part of `maximumConnections` that only known peers' connections take
    /// (`receiving.reservedConnections`), so that strangers never fill the listener.
    public var reservedConnections = 64
    /// A TLS handshake must be done this long after the connection opened (`receiving.handshakeTimeout`).
    public var handshakeTimeout: TimeAmount = .seconds(5)
    /// A request's head must be complete this long after the connection opened (or its handshake
    /// ended), or after the previous response.
    public var headerTimeout: TimeAmount = .seconds(10)
    /// A body must arrive at this many bytes a second on average, once `grace` has passed.
    public var minimumRate = 64 << 10
    public var grace: TimeAmount = .seconds(1)
    /// A connection on which nothing happens this long is closed (Hummingbird's idle timeout).
    public var idleTimeout: TimeAmount = .seconds(30)
    /// What is read of a body after its request was refused unread (an unknown sender, a full
    /// peer share) before the connection is closed: so many bytes, for so long.
    public var refusedBodyBytes = 1 << 20
    public var refusedBodyTime: TimeAmount = .seconds(2)

    public init() {}
}

/// Keeps one connection within the `ConnectionLimits`: asks the listener's `ConnectionTable` at
/// open whether it may stay, and closes it when its TLS handshake or a request's head is slow to
/// come, when a body arrives more slowly than the minimum rate, and when a request answered before
/// its body was read (an unknown sender, a full peer share) goes on sending more of it than its
/// refusal needs — and once a request refused as unauthenticated (401) is read to its end: a sender
/// that cannot sign gets no second request on it. Sits in the HTTP/1 pipeline after the TLS
/// handler and the codec, so it sees the handshake's end, whole heads and body parts.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase {
        /// The TLS handshake is under way since then.
        case handshaking(since: NIODeadline)
        /// Waiting for a request's head since then.
        case waiting(since: NIODeadline)
        /// Reading a request's body: since then, so many bytes.
        case reading(since: NIODeadline, bytes: Int)
        /// The request is read; its response is being made.
        case responding
    }

    let table: ConnectionTable
    var limits: ConnectionLimits { table.limits }
    /// The listener has TLS: the connection starts with its handshake.
    let tls: Bool
    private var phase = Phase.waiting(since: .now())
    private var counted = false
    /// When the response to the request being read was written, if before its end (a refusal
    /// before its body), and how much of the body came after it.
    private var answered: (at: NIODeadline, bytes: Int)?
    /// The response was 401: the connection is closed once the request is read.
    private var unauthenticated = false
    private var check: RepeatedTask?

    init(table: ConnectionTable, tls: Bool) {
        self.table = table
        self.tls = tls
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { opened(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        opened(context)
        context.fireChannelActive()
    }

    private func opened(_ context: ChannelHandlerContext) {
        guard !counted else { return }
        counted = true
        let now = NIODeadline.now()
        phase = tls ? .handshaking(since: now) : .waiting(since: now)
        guard table.open(context.channel, from: context.channel.remoteAddress?.ipAddress.flatMap(SourceAddress.init)) else {
            counted = false
            context.close(promise: nil)
            return
        }
        let every = TimeAmount.milliseconds(250)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        check = context.eventLoop.scheduleRepeatedTask(initialDelay: every, delay: every) { _ in
            let (handler, context) = bound.value
            handler.enforce(context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent, case .handshaking = phase {
            let certificate = (try? context.pipeline.syncOperations.nioSSL_peerCertificate()).flatMap { try? ClientCertificate($0) }
            guard table.identified(context.channel, by: certificate) else {
                counted = false
                context.close(promise: nil)
                return
            }
            waitForRequest(context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        release(context)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { release(context) }

    private func release(_ context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        if counted {
            counted = false
            table.close(context.channel)
        }
    }

    /// Closes the connection for `reason`, told to the table first.
    private func shut(_ context: ChannelHandlerContext, _ reason: ConnectionTable.Closing) {
        if counted {
            counted = false
            table.close(context.channel, because: reason)
        }
        context.close(promise: nil)
    }

    private func waitForRequest(_ context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        phase = .waiting(since: now)
        table.idle(context.channel, since: now)
    }

    private func enforce(_ context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        if let answered, now - answered.at > limits.refusedBodyTime {
            shut(context, .refusedBody)
            return
        }
        switch phase {
        case .handshaking(let since) where now - since > limits.handshakeTimeout:
            shut(context, .handshakeTimeout)
        case .waiting(let since) where now - since > limits.headerTimeout:
            shut(context, .headerTimeout)
        case .reading(let since, let bytes) where now - since > limits.grace:
            let seconds = Double((now - since).nanoseconds) / 1e9
            if Double(bytes) < Double(limits.minimumRate) * seconds { shut(context, .slowBody) }
        default:
            break
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            phase = .reading(since: .now(), bytes: 0)
            table.idle(context.channel, since: nil)
            answered = nil
        case .body(let buffer):
            if case .reading(let since, let bytes) = phase { phase = .reading(since: since, bytes: bytes + buffer.readableBytes) }
            if let a = answered {
                answered = (a.at, a.bytes + buffer.readableBytes)
                if a.bytes + buffer.readableBytes > limits.refusedBodyBytes {
                    shut(context, .refusedBody)
                    return
                }
            }
        case .end:
            if answered != nil && unauthenticated {
                shut(context, .unauthenticated)
                return
            }
            if answered != nil {
                answered = nil
                waitForRequest(context)
            } else {
                phase = .responding
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response):
            unauthenticated = response.status == .unauthorized
            if unauthenticated {
                // Said, so that a client does not send its next request on a connection closing.
                response.headerFields[.connection] = "close"
                context.write(wrapOutboundOut(.head(response)), promise: promise)
                return
            }
        case .body:
            break
        case .end:
            // The next request's head is awaited from now; a body still being read (drained after
            // a refusal) may go on for `refusedBodyTime` and `refusedBodyBytes` at most.
            if case .reading = phase {
                answered = (.now(), 0)
            } else if unauthenticated {
                context.writeAndFlush(data, promise: promise)
                shut(context, .unauthenticated)
                return
            } else {
                waitForRequest(context)
            }
        }
        context.write(data, promise: promise)
    }
}
