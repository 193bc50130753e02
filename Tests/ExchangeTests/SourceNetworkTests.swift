import ExchangeHTTP
import ExchangeProtocol
import Foundation
import Testing

@Suite("Source networks (peers.X.from)")
struct SourceNetworkTests {
    @Test("A network holds the addresses under its prefix, IPv4 and IPv6, and an IPv4 address mapped into IPv6 as the IPv4 one", arguments: [
        ("10.1.0.0/16", "10.1.2.3", true), ("10.1.0.0/16", "10.2.0.1", false), ("192.0.2.7", "192.0.2.7", true), ("192.0.2.7", "192.0.2.8", false),
        ("0.0.0.0/0", "203.0.113.9", true), ("127.0.0.2/32", "::ffff:127.0.0.2", true), ("2001:db8::/48", "2001:db8:0:1::5", true),
        ("2001:db8::/48", "2001:db9::1", false), ("2001:db8::/48", "10.0.0.1", false), ("10.0.0.0/8", "::1", false), ("172.16.0.0/12", "172.31.255.255", true),
        ("172.16.0.0/12", "172.32.0.0", false),
    ])
    func contains(network: String, address: String, expected: Bool) throws {
        let n = try SourceNetwork(network)
        let a = try #require(SourceAddress(address))
        #expect(n.contains(a) == expected)
    }

    @Test("What is not a network says what is wrong", arguments: [
        ("10.1.2.0/33", "the prefix length must be 0 to 32"), ("10.1.2.3/16", "did you mean 10.1.0.0/16?"), ("gateway.forem.be", "not an IPv4 or IPv6 address"),
        ("10.1.2/24", "not an IPv4 or IPv6 address"), ("2001:db8::/129", "0 to 128"), ("10.0.0.0/x", "the prefix length"), ("", "not an IPv4"),
    ])
    func invalid(text: String, says: String) {
        #expect(throws: SourceNetwork.Invalid.self) { try SourceNetwork(text) }
        do { _ = try SourceNetwork(text) } catch { #expect(error.description.contains(says), "\(error.description)") }
    }

    @Test("A peer with networks admits only their addresses, and none that the listener did not give; one without admits any")
    func peerAdmits() throws {
        let signature = RequestSignature(key: Array(repeating: 1, count: 32))
        let peer = ReceivingGateway.Peer(signature: signature, networks: [try SourceNetwork("192.0.2.0/24")])
        #expect(peer.admits(SourceAddress("192.0.2.200")))
        #expect(!peer.admits(SourceAddress("198.51.100.1")))
        #expect(!peer.admits(nil))
        #expect(ReceivingGateway.Peer(signature: signature).admits(nil))
        #expect(SourceAddress("::ffff:192.0.2.1")?.description == "192.0.2.1")
    }
}
