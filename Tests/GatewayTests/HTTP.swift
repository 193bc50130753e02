import AsyncHTTPClient
import ExchangeHTTP
import Files
import HTTPTypes
import NIOCore
import NIOHTTP1

/// A plain HTTP client for tests that talk to a gateway, as curl would: AsyncHTTPClient, bounded
/// by a timeout. (Foundation's URLSession is not used: on Linux its async `data(for:)` has hung a
/// loaded run with every thread idle.)
enum HTTP {
    struct Answer: Sendable {
        var status: Int
        var body: String
        var headers: HTTPHeaders = [:]
    }

    /// The gateway's own outgoing settings: no redirect followed (a test sees the 303 and its
    /// cookie), and pooled connections closed before the listener's idle timeout closes them.
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: OutgoingHTTP.configuration())

    static func send(_ url: String, method: String = "GET", headers: [(String, String)] = [], body: [UInt8]? = nil,
                     timeout: TimeAmount = .seconds(30)) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: timeout)
        return Answer(status: Int(response.status.code), body: String(buffer: try await response.body.collect(upTo: 16 << 20)), headers: response.headers)
    }

    /// A page fetched with a bearer token, written to a file for a browser to render (the browser
    /// has no way to send the header; the page loads nothing from elsewhere, so it renders alike).
    static func page(_ url: String, token: String, into path: String) async throws -> String {
        let answer = try await send(url, headers: [("Authorization", "Bearer \(token)")])
        guard answer.status == 200 else { throw WaitTimedOut(description: "\(url) answered \(answer.status)") }
        try PrivateFiles.writeAtomically(Array(answer.body.utf8), to: path)
        return "file://" + path
    }

    /// The fields of a signed exchange request, as `send` takes them.
    static func fields(_ fields: HTTPFields) -> [(String, String)] { fields.map { ($0.name.rawName, $0.value) } }
}
