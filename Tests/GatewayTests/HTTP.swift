import AsyncHTTPClient
import HTTPTypes
import NIOCore

/// A plain HTTP client for tests that talk to a gateway, as curl would: AsyncHTTPClient, bounded
/// by a timeout. (Foundation's URLSession is not used: on Linux its async `data(for:)` has hung a
/// loaded run with every thread idle.)
enum HTTP {
    struct Answer: Sendable { var status: Int; var body: String }

    static func send(_ url: String, method: String = "GET", headers: [(String, String)] = [], body: [UInt8]? = nil,
                     timeout: TimeAmount = .seconds(30)) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        return Answer(status: Int(response.status.code), body: String(buffer: try await response.body.collect(upTo: 16 << 20)))
    }

    /// The fields of a signed exchange request, as `send` takes them.
    static func fields(_ fields: HTTPFields) -> [(String, String)] { fields.map { ($0.name.rawName, $0.value) } }
}
