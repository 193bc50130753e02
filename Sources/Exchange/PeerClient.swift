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
    /// `timeout` overrides the client's own for this call (a peer's `limits.timeout`).
    public func deliver(body: [UInt8], form: ExchangeFormat.Form, to baseURL: String, as sender: Agency, signer: RequestSignature,
                        now: Date = Date(), timeout: Duration? = nil) async -> PeerAnswer {
        let path = "/exchange/v1/batches"
        let timestamp = TimestampPattern.rfc3339.write(now)
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: form == .json ? "application/json" : "application/xml")
        request.headers.add(name: RequestSignature.senderHeader, value: sender.rawValue)
        request.headers.add(name: RequestSignature.timestampHeader, value: timestamp)
        request.headers.add(name: RequestSignature.signatureHeader, value: signer.sign(method: "POST", pathWithQuery: path, timestamp: timestamp, body: body))
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
}
