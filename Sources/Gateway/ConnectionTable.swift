import ExchangeHTTP
import Model
import NIOCore
import Synchronization

/// A listener's open connections, by whom they are held: each `ConnectionGuard` of the listener
/// asks it at open whether its connection may stay, and tells it when the connection turns idle,
/// busy, identified or closed. It keeps the `ConnectionLimits` that no single connection can see:
///
/// - a known peer's connections (from its networks, `peers.X.from`, or with its pinned client
///   certificate once the handshake is done) count against that peer's share only
///   (`connectionsPerPeer`), and may take the part of the listener kept for peers
///   (`reservedConnections`);
/// - any other connection is a stranger's, by source address: at most `connectionsPerAddress`
///   from one address, and strangers together never more than the listener less its reserve;
/// - at a cap, the connection idle the longest (waiting for a request, or for its handshake) is
///   closed to make room — a stranger's for a stranger, anyone's idle for a peer — else the new
///   connection is closed as it opens.
///
/// Every closing is counted by reason (`gateway_connections_closed_total`).
public final class ConnectionTable: Sendable {
    /// Who holds a connection, as far as the listener knows.
    public enum Holder: Hashable, Sendable {
        case peer(Agency)
        case stranger(SourceAddress?)
    }

    /// Why a connection was closed by the listener rather than by its client.
    public enum Closing: String, Sendable, CaseIterable {
        case addressFull = "address_full", strangersFull = "strangers_full", peerFull = "peer_full", listenerFull = "listener_full"
        case shedIdle = "shed_idle", handshakeTimeout = "handshake_timeout", headerTimeout = "header_timeout", slowBody = "slow_body"
        case refusedBody = "refused_body", unauthenticated
    }

    private struct Entry {
        var holder: Holder
        /// Since when it waits for a request (or its handshake); nil while one is read or answered.
        var idleSince: NIODeadline?
        let channel: any Channel
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var strangers = 0
        var byAddress: [SourceAddress?: Int] = [:]
        var byPeer: [Agency: Int] = [:]

        mutating func add(_ id: ObjectIdentifier, _ entry: Entry) {
            entries[id] = entry
            count(entry.holder, by: 1)
        }

        mutating func remove(_ id: ObjectIdentifier) -> Entry? {
            guard let entry = entries.removeValue(forKey: id) else { return nil }
            count(entry.holder, by: -1)
            return entry
        }

        mutating func count(_ holder: Holder, by n: Int) {
            switch holder {
            case .peer(let agency): byPeer[agency, default: 0] += n
            case .stranger(let address):
                strangers += n
                byAddress[address, default: 0] += n
                if byAddress[address] == 0 { byAddress[address] = nil }
            }
        }

        /// The connection idle the longest among those `eligible` takes.
        func longestIdle(where eligible: (Holder) -> Bool) -> ObjectIdentifier? {
            var best: (ObjectIdentifier, NIODeadline)?
            for (id, entry) in entries {
                guard let since = entry.idleSince, eligible(entry.holder) else { continue }
                if best == nil || since < best!.1 { best = (id, since) }
            }
            return best?.0
        }
    }

    public let limits: ConnectionLimits
    /// The peer a connection from this address, or with this certificate, belongs to, if any.
    let identify: @Sendable (SourceAddress?, ClientCertificate?) -> Agency?
    let closed: @Sendable (Closing) -> Void
    private let state = Mutex(State())

    /// - Parameters:
    ///   - identify: the peer a source address or a client certificate is known for (the peers in
    ///     force are asked at each connection, so a reload is seen at once).
    ///   - closed: told of each connection the listener closes, with why.
    public init(limits: ConnectionLimits, identify: @escaping @Sendable (SourceAddress?, ClientCertificate?) -> Agency? = { _, _ in nil },
                closed: @escaping @Sendable (Closing) -> Void = { _ in }) {
        self.limits = limits
        self.identify = identify
        self.closed = closed
    }

    /// How many connections are open.
    public var current: Int { state.withLock { $0.entries.count } }

    /// Takes a new connection, idle from now: true if it may stay (another may have been closed to
    /// make room), false if it must be closed (`closed` has been told why).
    func open(_ channel: any Channel, from address: SourceAddress?) -> Bool {
        let holder = identify(address, nil).map(Holder.peer) ?? .stranger(address)
        let id = ObjectIdentifier(channel), now = NIODeadline.now(), limits = self.limits
        let (refusal, shed): (Closing?, (any Channel)?) = state.withLock { state in
            var shed: (any Channel)?
            switch holder {
            case .peer(let agency):
                if state.byPeer[agency, default: 0] >= limits.connectionsPerPeer { return (.peerFull, nil) }
                if state.entries.count >= limits.maximumConnections {
                    guard let victim = state.longestIdle(where: { if case .stranger = $0 { true } else { false } }) ?? state.longestIdle(where: { _ in true })
                    else { return (.listenerFull, nil) }
                    shed = state.remove(victim)?.channel
                }
            case .stranger(let address):
                if state.byAddress[address, default: 0] >= limits.connectionsPerAddress { return (.addressFull, nil) }
                let strangersCap = limits.maximumConnections - limits.reservedConnections
                if state.strangers >= strangersCap || state.entries.count >= limits.maximumConnections {
                    guard let victim = state.longestIdle(where: { if case .stranger = $0 { true } else { false } }) else {
                        return (state.strangers >= strangersCap ? .strangersFull : .listenerFull, nil)
                    }
                    shed = state.remove(victim)?.channel
                }
            }
            state.add(id, Entry(holder: holder, idleSince: now, channel: channel))
            return (nil, shed)
        }
        if let shed {
            closed(.shedIdle)
            shed.close(promise: nil)
        }
        if let refusal { closed(refusal) }
        return refusal == nil
    }

    /// The connection's client certificate, once its handshake is done: a known peer's moves the
    /// connection to that peer's share. False if that share is full (the connection must close).
    func identified(_ channel: any Channel, by certificate: ClientCertificate?) -> Bool {
        let id = ObjectIdentifier(channel)
        let full: Bool = state.withLock { state in
            guard var entry = state.entries[id], case .stranger(let address) = entry.holder,
                  let agency = identify(address, certificate) else { return false }
            if state.byPeer[agency, default: 0] >= limits.connectionsPerPeer {
                _ = state.remove(id)
                return true
            }
            state.count(entry.holder, by: -1)
            entry.holder = .peer(agency)
            state.count(entry.holder, by: 1)
            state.entries[id] = entry
            return false
        }
        if full { closed(.peerFull) }
        return !full
    }

    /// The connection waits for a request from `since`, or (nil) is reading or answering one.
    func idle(_ channel: any Channel, since: NIODeadline?) {
        state.withLock { $0.entries[ObjectIdentifier(channel)]?.idleSince = since }
    }

    /// The connection is closed (by either side); `reason` when the listener closed it.
    func close(_ channel: any Channel, because reason: Closing? = nil) {
        let removed = state.withLock { $0.remove(ObjectIdentifier(channel)) != nil }
        if removed, let reason { closed(reason) }
    }
}
