import AsyncHTTPClient
import Formats
import Foundation
import Model
import NIOCore
import NIOHTTP1

/// Delivers batches to a peer gateway over HTTP, signed, with a timeout, and says what it answered.
public struct PeerClient: Sendable {
    let http: HTTPClient
    public var timeout: TimeAmount

    public init(http: HTTPClient = .shared, timeout: TimeAmount = .seconds(30)) {
        self.http = http
        self.timeout = timeout
    }

    /// POSTs a batch body to `baseURL`/exchange/v1/batches as `sender`, signed with `signer`.
    /// `timeout` overrides the client's own for this call (a peer's `limits.timeout`); `bodySha256`
    /// is the body's SHA-256 if known (else it is computed).
    public func deliver(body: [UInt8], form: ExchangeFormat.Form, to baseURL: String, as sender: Agency, signer: RequestSignature,
                        now: Date = Date(), timeout: Duration? = nil, bodySha256: String? = nil) async -> PeerAnswer {
        let path = "/exchange/v1/batches"
        let timestamp = TimestampPattern.rfc3339.write(now)
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: form == .json ? "application/json" : "application/xml")
        request.headers.add(name: RequestSignature.senderHeader, value: sender.rawValue)
        request.headers.add(name: RequestSignature.timestampHeader, value: timestamp)
        request.headers.add(name: RequestSignature.signatureHeader, value: signer.sign(method: "POST", pathWithQuery: path, timestamp: timestamp,
                                                                                         bodySha256: bodySha256 ?? sha256Hex(body)))
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await http.execute(request, timeout: timeout.map {
                .nanoseconds($0.components.seconds * 1_000_000_000 + $0.components.attoseconds / 1_000_000_000)
            } ?? self.timeout)
            let answer = try await response.body.collect(upTo: 1 << 20)
            let text = String(buffer: answer)
            guard response.status == .ok else {
                let retryAfter = response.headers.first(name: "Retry-After").flatMap(TimeInterval.init)
                return .status(Int(response.status.code), body: text, retryAfter: retryAfter)
            }
            guard let receipt = try? JSONDecoder().decode(Receipt.self, from: Data(text.utf8)) else {
                return .status(200, body: "an answer that is not a receipt: \(text.prefix(200))", retryAfter: nil)
            }
            return .receipt(receipt)
        } catch {
            return .transport(String(describing: error).prefix(300).description)
        }
    }

    /// The peer's manifest of the batches it received from `sender` between two instants.
    public func manifest(from baseURL: String, as sender: Agency, signer: RequestSignature, since: Date, until: Date, now: Date = Date()) async throws -> Manifest {
        let query = "since=\(TimestampPattern.rfc3339.write(since))&until=\(TimestampPattern.rfc3339.write(until))"
        let path = "/exchange/v1/manifest?" + query
        let timestamp = TimestampPattern.rfc3339.write(now)
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: RequestSignature.senderHeader, value: sender.rawValue)
        request.headers.add(name: RequestSignature.timestampHeader, value: timestamp)
        request.headers.add(name: RequestSignature.signatureHeader, value: signer.sign(method: "GET", pathWithQuery: path, timestamp: timestamp, body: []))
        let response = try await http.execute(request, timeout: timeout)
        let text = String(buffer: try await response.body.collect(upTo: 64 << 20))
        guard response.status == .ok else { throw PeerClientError("\(baseURL) answered \(response.status.code) to the manifest: \(text.prefix(300))") }
        do { return try JSONDecoder().decode(Manifest.self, from: Data(text.utf8)) } catch {
            throw PeerClientError("\(baseURL) answered a manifest that cannot be read: \(error)")
        }
    }
}

/// A peer call that did not give what was asked.
public struct PeerClientError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
