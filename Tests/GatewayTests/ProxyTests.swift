import AsyncHTTPClient
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import LedgerTestSupport
import Logging
import NIOCore
import Synchronization
import Testing

@Suite("gateway proxy in front of replicas", .bounded)
struct ProxyTests {
    /// A stand-in replica that answers every request with its name, the path and the body's length.
    static func replica(_ name: String, announce: @escaping @Sendable (String) -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.post("/exchange/v1/batches") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 24 << 20)
            let signature = request.headers[HTTPField.Name("X-PES-Signature")!] ?? "none"
            return Response(status: .ok, headers: [.contentType: "text/plain", .retryAfter: "7"],
                            body: .init(byteBuffer: ByteBuffer(string: "\(name) \(request.uri.path) \(body.readableBytes) \(signature)")))
        }
        var logger = Logger(label: "replica")
        logger.logLevel = .critical
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                           onServerRunning: { channel in announce("http://127.0.0.1:\(channel.localAddress!.port!)") }, logger: logger)
    }

    static func post(_ url: String, bytes: Int = 10) async throws -> (status: Int, text: String, headers: [String: String]) {
        var request = HTTPClientRequest(url: url + "/exchange/v1/batches")
        request.method = .POST
        request.headers.add(name: "X-PES-Signature", value: "v1=abc")
        request.body = .bytes(bytes == 10 ? ByteBuffer(string: "0123456789") : ByteBuffer(repeating: UInt8(ascii: "x"), count: bytes))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return (Int(response.status.code), text, Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a }))
    }

    @Test("requests go to the replicas in turn, as sent; one that refuses is skipped; none answering is a 502 to retry")
    func turns() async throws {
        // Every server on a port of its own choosing; `dead` is a port handed out and never bound.
        let dead = try LocalNetwork.freePort()
        let a = try await Listening.start("replica a") { announce in try await Self.replica("a", announce: announce).runService() }
        let b = try await Listening.start("replica b") { announce in try await Self.replica("b", announce: announce).runService() }
        let logger = { var logger = Logger(label: "proxy"); logger.logLevel = .critical; return logger }()
        let proxy = ReplicaProxy(replicas: [a.url, "http://127.0.0.1:\(dead)", b.url])
        let served = try await Listening.start("the proxy") { announce in
            try await proxy.application(host: "127.0.0.1", port: 0, logger: logger, onRunning: announce).runService()
        }
        // Where no replica listens at all.
        let nobody = ReplicaProxy(replicas: ["http://127.0.0.1:\(dead)", "http://127.0.0.1:\(try LocalNetwork.freePort())"])
        let deadServed = try await Listening.start("the proxy without replicas") { announce in
            try await nobody.application(host: "127.0.0.1", port: 0, logger: logger, onRunning: announce).runService()
        }
        defer { for s in [a, b, served, deadServed] { s.task.cancel() } }
        let url = served.url, deadURL = deadServed.url
        var answered: [String] = []
        for _ in 0..<6 {
            let answer = try await Self.post(url)
            #expect(answer.status == 200)
            #expect(answer.headers["retry-after"] == "7")   // the replica's headers come back
            let parts = answer.text.split(separator: " ")
            #expect(parts.dropFirst().joined(separator: " ") == "/exchange/v1/batches 10 v1=abc")   // path, body and headers as sent
            answered.append(String(parts[0]))
        }
        // Turns a, dead (skipped to b), b, a, dead (skipped to b), b.
        #expect(answered == ["a", "b", "b", "a", "b", "b"])
        let none = try await Self.post(deadURL)
        #expect(none.status == 502)
        #expect(none.headers["retry-after"] == "1")
        #expect(none.headers["content-type"] == "application/problem+json")
        #expect(none.text.contains("No replica answered"))
    }

    @Test("bodies past the proxy's buffer budget are streamed to a replica whole; 300 half-sent heads from one address are all closed, most at once, the rest at the header timeout",
          .timeLimit(.minutes(1)))
    func limits() async throws {
        let a = try await Listening.start("replica a") { announce in try await Self.replica("a", announce: announce).runService() }
        let logger = { var logger = Logger(label: "proxy"); logger.logLevel = .critical; return logger }()
        var limits = ConnectionLimits()
        limits.headerTimeout = .seconds(1)
        let proxy = ReplicaProxy(replicas: [a.url], bufferBudget: 1 << 20, limits: limits)
        let served = try await Listening.start("the proxy") { announce in
            try await proxy.application(host: "127.0.0.1", port: 0, logger: logger, onRunning: announce).runService()
        }
        defer { for s in [a, served] { s.task.cancel() } }

        // Eight 5 MB bodies at once through a 1 MiB budget: streamed, each whole at the replica.
        let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for _ in 0..<8 { group.addTask { let a = try await Self.post(served.url, bytes: 5_000_000); return (a.status, a.text) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.allSatisfy { $0.0 == 200 && $0.1.hasPrefix("a /exchange/v1/batches 5000000 ") }, "\(answers.map { "\($0.0) \($0.1.prefix(60))" })")
        // A small body is still held, and goes to another replica when one fails (the test above).
        #expect(try await Self.post(served.url).status == 200)

        let port = try #require(URL(string: served.url)?.port)
        let heads = try (0..<300).map { _ in try RawConnection(port: port, from: "127.0.0.2") }
        for h in heads { h.send(Array("POST /exchange/v1/batches HTTP/1.1\r\nHost: 127.0.0.1\r\n".utf8)) }
        let started = ContinuousClock.now
        var open = heads.count
        while ContinuousClock.now - started < .seconds(10) {
            open = heads.count { !$0.closedByServer }
            if open == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(open == 0, "\(open) half-sent heads still open after \(ContinuousClock.now - started)")
        print("proxy: 8 × 5 MB streamed through a 1 MiB budget; 300 half-sent heads closed after \(ContinuousClock.now - started)")
    }
}
