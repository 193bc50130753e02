import ExchangeHTTP
@testable import Gateway
import Model
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

/// The listener's shares, decided in memory on embedded channels: who may open, who is closed to
/// make room, and why each closing is counted.
@Suite("Connection table: shares by address and peer, the peers' reserve, idle shed first")
struct ConnectionTableTests {
    /// The closings a table told of, in order.
    final class Closings: Sendable {
        let list = Mutex<[ConnectionTable.Closing]>([])
    }

    /// A table of `maximum` connections, 3 per stranger's address, 4 per peer, `reserved` for
    /// peers; Le Forem is known from 192.0.2.0/24 and by the certificate "forem-pin".
    final class Subject: Sendable {
        let table: ConnectionTable
        let closings = Closings()

        init(maximum: Int = 10, reserved: Int = 4) {
            var limits = ConnectionLimits()
            limits.maximumConnections = maximum
            limits.connectionsPerAddress = 3
            limits.connectionsPerPeer = 4
            limits.reservedConnections = reserved
            let foremNetwork = try! SourceNetwork("192.0.2.0/24")
            let closings = self.closings
            table = ConnectionTable(limits: limits, identify: { address, certificate in
                if let certificate { return certificate.sha256 == "forem-pin" ? .forem : nil }
                return address.map(foremNetwork.contains) == true ? .forem : nil
            }, closed: { reason in closings.list.withLock { $0.append(reason) } })
        }

        /// Opens a connection from `address`: the channel, if it may stay.
        func open(_ address: String) -> EmbeddedChannel? {
            let channel = EmbeddedChannel()
            _ = channel.connect(to: try! SocketAddress(ipAddress: "127.0.0.1", port: 9))
            return table.open(channel, from: SourceAddress(address)) ? channel : nil
        }

        var said: [ConnectionTable.Closing] { closings.list.withLock { $0 } }
    }

    @Test("A stranger's address gets connectionsPerAddress; another address gets its own")
    func perAddress() {
        let s = Subject()
        let first = (0..<3).compactMap { _ in s.open("203.0.113.1") }
        #expect(first.count == 3)
        #expect(s.open("203.0.113.1") == nil)
        #expect(s.said == [.addressFull])
        #expect(s.open("203.0.113.2") != nil)
        s.table.close(first[0])
        #expect(s.open("203.0.113.1") != nil, "a closed connection gives its place back")
        #expect(s.table.current == 4)
    }

    @Test("Strangers never take the peers' reserve, however many addresses; the peer still gets in, up to its own share")
    func reserve() {
        let s = Subject(maximum: 10, reserved: 4)
        var strangers: [EmbeddedChannel] = []
        for i in 1...8 { if let c = s.open("203.0.113.\(i)") { strangers.append(c); s.table.idle(c, since: nil) } }
        #expect(strangers.count == 6, "10 less the 4 kept for peers")
        #expect(s.said == [.strangersFull, .strangersFull], "busy strangers are not shed")
        let peer = (0..<5).compactMap { _ in s.open("192.0.2.10") }
        #expect(peer.count == 4)
        #expect(s.said.last == .peerFull)
        #expect(s.table.current == 10)
    }

    @Test("At the cap the connection idle the longest is closed to make room: a stranger's for a stranger, anyone's idle for a peer; a busy one never")
    func shedIdle() throws {
        let s = Subject(maximum: 4, reserved: 1)
        let oldest = try #require(s.open("203.0.113.1"))
        let busy = try #require(s.open("203.0.113.2"))
        s.table.idle(busy, since: nil)
        let newer = try #require(s.open("203.0.113.3"))
        // Strangers hold their 3; a fourth closes the oldest idle of theirs.
        let fourth = try #require(s.open("203.0.113.4"))
        #expect(s.said == [.shedIdle])
        #expect(!oldest.isActive)
        #expect(busy.isActive && newer.isActive && fourth.isActive)
        // A peer takes the reserved place; one more at the full listener sheds the oldest idle.
        let peer = try #require(s.open("192.0.2.1"))
        #expect(s.open("192.0.2.2") != nil)
        #expect(!newer.isActive)
        #expect(s.said == [.shedIdle, .shedIdle])
        #expect(busy.isActive && peer.isActive)
    }

    @Test("A connection whose handshake shows a peer's certificate moves from the strangers' share to the peer's, and is closed if that is full")
    func identifiedByCertificate() throws {
        let s = Subject(maximum: 10, reserved: 2)
        let channels = (0..<3).compactMap { _ in s.open("198.51.100.1") }
        #expect(channels.count == 3)
        #expect(s.table.identified(channels[0], by: ClientCertificate(sha256: "forem-pin", commonName: nil)))
        #expect(s.open("198.51.100.1") != nil, "the address's stranger share has room again")
        #expect(s.table.identified(channels[1], by: ClientCertificate(sha256: "another", commonName: nil)))
        for _ in 0..<3 { _ = s.open("192.0.2.1") }
        #expect(!s.table.identified(channels[2], by: ClientCertificate(sha256: "forem-pin", commonName: nil)))
        #expect(s.said == [.peerFull])
    }
}
