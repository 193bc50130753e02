import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The limits a listener puts on its connections, whoever opens them (`receiving:` in the
/// configuration). Each holds the slow-sender test (`Tests/GatewayTests/SlowSenderTests.swift`).
public struct ConnectionLimits: Sendable, Equatable {
    /// Connections open at once; one more is closed as it opens.
    public var maximumConnections = 256
    /// A request's head must be complete this long after the connection opened, or after the
    /// previous response.
    public var headerTimeout: TimeAmount = .seconds(10)
    /// A body must arrive at this many bytes a second on average, once `grace` has passed.
    public var minimumRate = 64 << 10
    public var grace: TimeAmount = .seconds(1)
    /// A connection on which nothing happens this long is closed (Hummingbird's idle timeout).
    public var idleTimeout: TimeAmount = .seconds(30)

    public init() {}
}

/// Counts a listener's open connections, for every `ConnectionGuard` of it.
public final class ConnectionCount: Sendable {
    let open = Atomic<Int>(0)
    public init() {}
    public var current: Int { open.load(ordering: .relaxed) }
}

/// Keeps one connection within the `ConnectionLimits`: closes it when the listener has too many
/// open, when a request's head is slow to come, and when a body arrives more slowly than the
/// minimum rate — also one the server drains after refusing its request unread (an unknown sender,
/// a full peer share) — and once a request refused as unauthenticated (401) is read to its end: a
/// sender that cannot sign gets no second request on it. Sits in the HTTP/1 pipeline after the
/// codec, so it sees whole heads and body parts.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase {
        /// Waiting for a request's head since then.
        case waiting(since: NIODeadline)
        /// Reading a request's body: since then, so many bytes.
        case reading(since: NIODeadline, bytes: Int)
        /// The request is read; its response is being made.
        case responding
    }

    let limits: ConnectionLimits
    let count: ConnectionCount
    private var phase = Phase.waiting(since: .now())
    private var counted = false
    /// The response to the request being read was written already (a refusal before its body).
    private var answered = false
    /// The response was 401: the connection is closed once the request is read.
    private var unauthenticated = false
    private var check: RepeatedTask?

    init(limits: ConnectionLimits, count: ConnectionCount) {
        self.limits = limits
        self.count = count
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
        phase = .waiting(since: .now())
        if count.open.wrappingAdd(1, ordering: .relaxed).newValue > limits.maximumConnections {
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

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { release() }

    private func release() {
        check?.cancel()
        check = nil
        if counted {
            counted = false
            count.open.wrappingSubtract(1, ordering: .relaxed)
        }
    }

    private func enforce(_ context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        switch phase {
        case .waiting(let since) where now - since > limits.headerTimeout:
            context.close(promise: nil)
        case .reading(let since, let bytes) where now - since > limits.grace:
            let seconds = Double((now - since).nanoseconds) / 1e9
            if Double(bytes) < Double(limits.minimumRate) * seconds { context.close(promise: nil) }
        default:
            break
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            phase = .reading(since: .now(), bytes: 0)
            answered = false
        case .body(let buffer):
            if case .reading(let since, let bytes) = phase { phase = .reading(since: since, bytes: bytes + buffer.readableBytes) }
        case .end:
            if answered && unauthenticated { context.close(promise: nil); return }
            phase = answered ? .waiting(since: .now()) : .responding
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
            // a refusal) keeps its clock and its rate.
            if case .reading = phase {
                answered = true
            } else if unauthenticated {
                context.writeAndFlush(data, promise: promise)
                context.close(promise: nil)
                return
            } else {
                phase = .waiting(since: .now())
            }
        }
        context.write(data, promise: promise)
    }
}
