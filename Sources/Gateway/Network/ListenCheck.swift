import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether an address can be listened on, tried before a gateway starts anything: a port in use, a
/// port below 1024 without the right, or an address that is not this machine's is said at once,
/// with the address and what to do — not as a bind error after every service has started and been
/// cancelled again.
///
/// ```swift
/// if let problem = ListenCheck.problem(host: "127.0.0.1", port: 8401) { print(problem) }
/// // "127.0.0.1:8401 is in use (another gateway, or another program: `ss -ltnp 'sport = :8401'` shows which)"
/// ```
public enum ListenCheck {
    /// Why `host:port` cannot be listened on, or nil (also for a host name or port 0, which only
    /// the start itself can try).
    public static func problem(host: String, port: Int) -> String? {
        guard port > 0 else { return nil }
        var v4 = in_addr(), v6 = in6_addr()
        let family: Int32
        if inet_pton(AF_INET, host, &v4) == 1 { family = AF_INET } else if inet_pton(AF_INET6, host, &v6) == 1 { family = AF_INET6 } else { return nil }
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))   // as the server binds
        let bound: Int32
        if family == AF_INET {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr = v4
            bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        } else {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            address.sin6_addr = v6
            bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        }
        guard bound != 0 else { return nil }
        let shown = family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)"
        switch errno {
        case EADDRINUSE: return "\(shown) is in use (another gateway, or another program: `ss -ltnp 'sport = :\(port)'` shows which)"
        case EACCES: return "\(shown): a port below 1024 needs the right to bind it (CAP_NET_BIND_SERVICE); choose a port from 1024 up"
        case EADDRNOTAVAIL: return "\(shown): \(host) is not an address of this machine"
        default: return "\(shown) cannot be listened on (\(String(cString: strerror(errno))))"
        }
    }
}
