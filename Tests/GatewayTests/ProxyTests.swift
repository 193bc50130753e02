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
            let body = try await request.body.collect(upTo: 1 << 20)
            let signature = request.headers[HTTPField.Name("X-PES-Signature")!] ?? "none"
            return Response(status: .ok, headers: [.contentType: "text/plain", .retryAfter: "7"],
                            body: .init(byteBuffer: ByteBuffer(string: "\(name) \(request.uri.path) \(body.readableBytes) \(signature)")))
        }
        var logger = Logger(label: "replica")
        logger.logLevel = .critical
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                           onServerRunning: { channel in announce("http://127.0.0.1:\(channel.localAddress!.port!)") }, logger: logger)
    }

    static func post(_ url: String) async throws -> (status: Int, text: String, headers: [String: String]) {
        var request = HTTPClientRequest(url: url + "/exchange/v1/batches")
        request.method = .POST
        request.headers.add(name: "X-PES-Signature", value: "v1=abc")
        request.body = .bytes(ByteBuffer(string: "0123456789"))
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
}
