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

    /// Connects to 127.0.0.1:`port` from the loopback address `from` (any of 127.0.0.0/8).
    init(port: Int, from source: String = "127.0.0.1") throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if source != "127.0.0.1" {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { close(fd); throw GatewayError("cannot bind to \(source): \(String(cString: strerror(errno)))") }
        }
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

    /// The answer to what was sent, read until its body is whole (by its Content-Length) or the
    /// server closes, for at most `seconds`.
    func answer(seconds: Int = 10) -> String {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { break }
            received += buffer[..<n]
            let text = String(decoding: received, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n"),
               let length = text[..<end.lowerBound].split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") })
                .flatMap({ Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }),
               text.utf8.distance(from: end.upperBound.samePosition(in: text.utf8)!, to: text.utf8.endIndex) >= length { break }
        }
        return String(decoding: received, as: UTF8.self)
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
    static func peakMegabytes(_ pid: Int32) -> Int? { megabytes(pid, "VmHWM") }

    /// A memory figure of `/proc/<pid>/status` (`VmHWM`, `VmRSS`), in MB.
    static func megabytes(_ pid: Int32, _ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("\(field):") }),
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

    /// A crowd from 127.0.0.2, on a thread of its own: 512 idle connections and 64 that send a
    /// batch's head and then a byte a second, each opened again as soon as the gateway closes it;
    /// until `stop` is set.
    final class Crowd: @unchecked Sendable {
        let stop = Atomic<Bool>(false)
        let opened = Atomic<Int>(0)

        init(port: Int, from source: String = "127.0.0.2", idle: Int = 512, trickling: Int = 64) {
            Thread { [self] in
                var idlers = [RawConnection?](repeating: nil, count: idle), tricklers = [RawConnection?](repeating: nil, count: trickling)
                var lastByte = ContinuousClock.now
                while !self.stop.load(ordering: .relaxed) {
                    for i in idlers.indices where idlers[i]?.closedByServer ?? true {
                        idlers[i] = try? RawConnection(port: port, from: source)
                        self.opened.add(1, ordering: .relaxed)
                    }
                    let tick = ContinuousClock.now - lastByte >= .seconds(1)
                    for i in tricklers.indices {
                        if let t = tricklers[i], !t.closedByServer {
                            if tick { t.send([UInt8(ascii: "{")]) }
                        } else {
                            let t = try? RawConnection(port: port, from: source)
                            t?.send(RawConnection.head(sender: "FOREM", length: 16_000_000))
                            tricklers[i] = t
                            self.opened.add(1, ordering: .relaxed)
                        }
                    }
                    if tick { lastByte = ContinuousClock.now }
                    Thread.sleep(forTimeInterval: 0.1)
                }
            }.start()
        }
    }

    @Test("512 idle connections and 64 trickling bodies from 127.0.0.2, each reopened as soon as it is closed, while Le Forem (peers.FOREM.from: 127.0.0.1/32) delivers twenty 1,000-record batches from 127.0.0.1: every one receipted within 5 s, the gateway under 300 MB, the crowd's closings counted by reason; over plain HTTP and over mutual TLS",
          .timeLimit(.minutes(4)), arguments: [false, true])
    func crowdFromOneAddress(tls: Bool) async throws {
        let served = try await ServedGateway(operators: [], tls: tls, foremFrom: ["127.0.0.1/32"])
        let pid = try #require(served.gateway.process?.processIdentifier)
        let port = try #require(URL(string: served.url)?.port)
        let crowd = Crowd(port: port)
        defer { crowd.stop.store(true, ordering: .relaxed) }
        // Until the crowd holds what the gateway lets it (its first round opened).
        let deadline = ContinuousClock.now + .seconds(10)
        while crowd.opened.load(ordering: .relaxed) < 576, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }

        var generator = RecordGenerator(seed: 11)
        var waits: [Duration] = []
        for n in 0..<20 {
            let id = UUID().uuidString.lowercased()
            let (body, _) = try generator.batch(id: id, form: .json, vacancies: 1_000, from: n * 1_000)
            let started = ContinuousClock.now
            var answers: [String] = [], receipt: Receipt?
            while receipt == nil, ContinuousClock.now - started < .seconds(5) {
                do {
                    let answer = try await served.signed("POST", "/exchange/v1/batches", as: "FOREM", body: body)
                    if answer.status == 200 {
                        receipt = try JSONDecoder().decode(Receipt.self, from: Data(answer.text.utf8))
                    } else {
                        answers.append("\(answer.status) \(answer.text.prefix(120))")
                        try await Task.sleep(for: .milliseconds(200))
                    }
                } catch {
                    answers.append("\(error)".prefix(160).description)
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            let waited = ContinuousClock.now - started
            waits.append(waited)
            #expect(receipt?.counts.accepted == 1_000 && waited < .seconds(5), "batch \(n + 1): \(waited); answers before: \(answers)")
        }
        let opened = crowd.opened.load(ordering: .relaxed)
        crowd.stop.store(true, ordering: .relaxed)
        let peak = try #require(Self.peakMegabytes(pid))
        #expect(peak < 300, "peak \(peak) MB")
        let metrics = try await served.call("GET", "/metrics", token: nil).text
        let closings = metrics.split(separator: "\n").filter { $0.hasPrefix("gateway_connections_closed_total{") && $0.contains("listener=\"exchange\"") }
        #expect(closings.contains { $0.contains("reason=\"address_full\"") }, "\(closings)")
        print("crowd (\(tls ? "mutual TLS" : "plain HTTP")): \(opened) connections opened by the crowd; 20 batches receipted, slowest after \(waits.max()!), "
              + "median \(waits.sorted()[10]); gateway peak \(peak) MB; \(closings.joined(separator: "; "))")
        served.gateway.kill()
    }

    @Test("An endless chunked body at 80 KiB/s from an unknown sender gets its 401 at the head and its connection closed within refusedBodyTime (2 s), not read for ever",
          .timeLimit(.minutes(1)))
    func endlessRefusedBody() async throws {
        let served = try await ServedGateway(operators: [])
        let port = try #require(URL(string: served.url)?.port)
        let connection = try RawConnection(port: port)
        var head = String(decoding: RawConnection.head(sender: "MALLORY", length: 0), as: UTF8.self)
        head = head.replacingOccurrences(of: "Content-Length: 0\r\n", with: "Transfer-Encoding: chunked\r\n")
        #expect(connection.send(Array(head.utf8)))
        let chunk = Array("2000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 0x2000) + Array("\r\n".utf8)
        let started = ContinuousClock.now
        var answer: [UInt8] = []
        while ContinuousClock.now - started < .seconds(15) {
            guard connection.send(chunk) else { break }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(connection.fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n > 0 { answer += buffer[..<n] } else if n == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let open = ContinuousClock.now - started
        #expect(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 401"), "\(String(decoding: answer.prefix(200), as: UTF8.self))")
        #expect(open < .seconds(4), "the connection stayed open \(open)")
        print("endless refused body: 401 at the head, connection closed after \(open)")
        served.gateway.kill()
    }
}
