#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A network a peer's connections come from (`peers.X.from: [CIDR]`): `192.0.2.0/24`,
/// `2001:db8::/48`, or one address (`198.51.100.7`, the whole address). A peer with networks is
/// refused from any other address (403), and its connections are counted against its own share
/// of the listener, not against strangers' (`receiving.connectionsPerPeer`).
///
/// ```swift
/// let network = try SourceNetwork("10.1.0.0/16")
/// network.contains(SourceAddress("10.1.2.3")!)   // true
/// network.contains(SourceAddress("10.2.0.1")!)   // false
/// ```
public struct SourceNetwork: Sendable, Equatable, CustomStringConvertible {
    /// The network's first address, its bits past `prefix` zero.
    public let address: SourceAddress
    public let prefix: Int

    /// Reads `a.b.c.d/n` or `x:y::/n`; throws `Invalid` with what is wrong.
    public init(_ text: String) throws(Invalid) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = SourceAddress(String(parts[0])) else { throw Invalid("\(text): not an IPv4 or IPv6 address (a.b.c.d/n or x:y::/n)") }
        let bits = address.bytes.count * 8
        var prefix = bits
        if parts.count == 2 {
            guard let n = Int(parts[1]), (0...bits).contains(n) else { throw Invalid("\(text): the prefix length must be 0 to \(bits)") }
            prefix = n
        }
        let masked = address.masked(to: prefix)
        guard masked == address else {
            throw Invalid("\(text): bits are set past the /\(prefix) prefix (did you mean \(masked)/\(prefix)?)")
        }
        self.address = address
        self.prefix = prefix
    }

    public func contains(_ other: SourceAddress) -> Bool {
        other.bytes.count == address.bytes.count && other.masked(to: prefix) == address
    }

    public var description: String { "\(address)/\(prefix)" }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}

/// The address a connection comes from, IPv4 (4 bytes) or IPv6 (16); an IPv4 address mapped into
/// IPv6 (`::ffff:a.b.c.d`, as a dual-stack listener sees it) is taken as the IPv4 one.
public struct SourceAddress: Sendable, Hashable, CustomStringConvertible {
    /// The request header the listener hands it to the routes in, after removing any a client sent
    /// (`Gateway/ClientCertificateHandler.swift`).
    public static let header = "X-Gateway-Source-Address"

    public let bytes: [UInt8]

    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v4) { Array($0) })
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        self.init(bytes: withUnsafeBytes(of: &v6) { Array($0) })
    }

    public init(bytes: [UInt8]) {
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            self.bytes = Array(bytes[12...])
        } else {
            self.bytes = bytes
        }
    }

    func masked(to prefix: Int) -> SourceAddress {
        var out = bytes
        for i in out.indices {
            let keep = max(0, min(8, prefix - i * 8))
            out[i] &= keep == 8 ? 0xff : ~(0xff >> keep)
        }
        return SourceAddress(bytes: out)
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let written = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return written == nil ? "?" : String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
