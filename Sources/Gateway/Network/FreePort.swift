import Foundation
import Synchronization

extension LocalNetwork {
    /// The ports `freePort()` handed out in this process.
    private static let handedOut = Mutex<Set<Int>>([])

    /// A free TCP port on loopback, for a gateway whose peers must know its URL before it starts.
    ///
    /// Between this call and the gateway's bind the port must stay free, also while many gateways
    /// start at once (the tests run in parallel). So it is taken below the kernel's ephemeral range
    /// (32768–60999 on Linux), where no bind to port 0 and no outgoing connection lands, and never
    /// handed out twice in one process; and it is checked free by binding it once.
    public static func freePort() throws -> Int {
        for _ in 0..<500 {
            let port = Int.random(in: 20_000..<32_768)
            guard handedOut.withLock({ $0.insert(port).inserted }) else { continue }
            if isFree(port) { return port }
        }
        throw GatewayError("no free port on 127.0.0.1 between 20000 and 32767")
    }

    /// Whether a socket can bind 127.0.0.1:`port` now.
    private static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
