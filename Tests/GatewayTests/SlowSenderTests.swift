import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Gateway
import LedgerTestSupport
import Synchronization
import Testing

/// A raw TCP connection to a loopback port, for senders that no HTTP client would be: bytes are
/// sent as given, blocking, and whether the server closed it is asked without waiting.
final class RawConnection: @unchecked Sendable {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw GatewayError("cannot connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    /// Sends every byte, or false once the server has closed the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    /// Whether the server closed it (or reset it), without waiting; what it answered is read away.
    var closedByServer: Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n == 0 { return true }
            if n < 0 { return errno != EAGAIN && errno != EWOULDBLOCK }
        }
    }

    /// A batch request's head as a peer would send it, but unsigned (the signature of the right
    /// form, of nothing): all its headers pass, its body never will.
    static func head(sender: String, length: Int) -> [UInt8] {
        let timestamp = Instant.text(Date())
        return Array(("POST /exchange/v1/batches HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(length)\r\n"
                      + "X-PES-Sender: \(sender)\r\nX-PES-Timestamp: \(timestamp)\r\nX-PES-Signature: hmac-sha256=\(String(repeating: "0", count: 64))\r\n\r\n").utf8)
    }
}

@Suite("Slow and junk senders cannot stop intake", .bounded, .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
struct SlowSenderTests {
    /// The gateway's peak resident memory (`VmHWM`), in MB.
    static func peakMegabytes(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return nil }
        return kb / 1024
    }

    @Test("32 connections trickling 16 MiB bodies at a byte a second under the real peer's name, 32 posting junk as fast as they can from an unknown sender: the peer's 1,000-record batch gets its receipt within 5 s, the gateway stays under 300 MB, and the limits close every attacker",
          .timeLimit(.minutes(3)))
    func slowAndJunk() async throws {
        let served = try await ServedGateway(operators: [])
        let pid = try #require(served.gateway.process?.processIdentifier)
        let port = try #require(URL(string: served.url)?.port)
        let length = 16_000_000

        // The attackers, each on a connection of its own, on threads of their own (blocking sockets).
        let tricklers = try (0..<32).map { _ in try RawConnection(port: port) }
        let junkers = try (0..<32).map { _ in try RawConnection(port: port) }
        for t in tricklers { t.send(RawConnection.head(sender: "FOREM", length: length)) }
        let stop = Atomic<Bool>(false)
        let trickle = Thread {
            while !stop.load(ordering: .relaxed) {
                for t in tricklers { t.send([UInt8(ascii: "{")]) }
                Thread.sleep(forTimeInterval: 1)
            }
        }
        trickle.start()
        let junk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
        for j in junkers {
            Thread {
                guard j.send(RawConnection.head(sender: "MALLORY", length: length)) else { return }
                var sent = 0
                while sent < length, !stop.load(ordering: .relaxed), j.send(Array(junk.prefix(length - sent))) { sent += junk.count }
            }.start()
        }
        defer { stop.store(true, ordering: .relaxed) }

        // The real peer, a moment into the attack, sending as its dispatcher would (429: again after Retry-After).
        try await Task.sleep(for: .milliseconds(300))
        var generator = RecordGenerator(seed: 7)
        let id = "0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77"
        let (body, _) = try generator.batch(id: id, form: .json, vacancies: 1_000, from: 0)
        let client = PeerClient(timeout: .seconds(5))
        let started = ContinuousClock.now
        var answers: [String] = []
        var receipt: Receipt?
        while receipt == nil, ContinuousClock.now - started < .seconds(5) {
            switch await client.deliver(body: body, form: .json, to: served.url, as: .forem, signer: RequestSignature(key: ServedGateway.key("FOREM")), batchId: id,
                                        recordCount: 1_000) {
            case .receipt(let r): receipt = r
            case .status(429, _, let after):
                answers.append("429")
                try await Task.sleep(for: .milliseconds(Int64((after ?? 1) * 1000)))
            case let other:
                answers.append("\(other)".prefix(200).description)
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        let waited = ContinuousClock.now - started
        #expect(receipt?.counts.accepted == 1_000, "no receipt within 5 s; answers: \(answers)")
        #expect(waited < .seconds(5), "\(waited)")

        // Every attacker's connection is closed by the gateway's limits (the test closes none).
        let deadline = ContinuousClock.now + .seconds(20)
        var open = tricklers.count + junkers.count
        while ContinuousClock.now < deadline {
            open = (tricklers + junkers).count { !$0.closedByServer }
            if open == 0 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(open == 0, "\(open) attacker connections still open")
        let peak = try #require(Self.peakMegabytes(pid))
        #expect(peak < 300, "peak \(peak) MB")
        print("slow senders: receipt after \(waited) (answers before it: \(answers)); every attacker closed; gateway peak \(peak) MB")
        served.gateway.kill()
    }
}
