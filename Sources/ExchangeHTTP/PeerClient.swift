import ExchangeProtocol
import AsyncHTTPClient
import Formats
import Foundation
import Model
import NIOCore
import NIOHTTP1
import NIOSSL

/// Delivers batches to a peer gateway over HTTP, signed, with a timeout, and says what it answered.
public struct PeerClient: Sendable {
    let http: HTTPClient
    public var timeout: TimeAmount

    public init(http: HTTPClient = OutgoingHTTP.shared, timeout: TimeAmount = .seconds(30)) {
        self.http = http
        self.timeout = timeout
    }

    /// POSTs a batch body to `baseURL`/exchange/v1/batches as `sender`, signed with `signer`.
    /// `timeout` overrides the client's own for this call (a peer's `limits.timeout`); `bodySha256`
    /// is the body's SHA-256 if known (else it is computed); `tls`, the trust and client certificate
    /// of this call (the client's defaults when nil). A 200 is the batch's receipt only when
    /// it names `batchId`, the body's digest and (when known) `recordCount` records; any other
    /// 200 is `.notTheReceipt`, and a redirect is answered as it came (none is followed). With
    /// `signedAnswers`, a 200 is the receipt only when the peer signed it with `signer`'s key, for
    /// this request, within the window of `now` (clarification 13).
    public func deliver(body: [UInt8], form: BatchForm, to baseURL: String, as sender: Agency, signer: RequestSignature,
                        now: Date = Date(), timeout: Duration? = nil, bodySha256: String? = nil,
                        batchId: String, recordCount: Int? = nil, tls: TLSConfiguration? = nil, signedAnswers: Bool = false) async -> PeerAnswer {
        let bodySha256 = bodySha256 ?? sha256Hex(body)
        let path = "/exchange/v1/batches"
        let timestamp = Instant.text(now)
        let requestSignature = signer.sign(method: "POST", pathWithQuery: path, timestamp: timestamp, bodySha256: bodySha256)
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: form == .json ? "application/json" : "application/xml")
        request.headers.add(name: RequestSignature.senderHeader, value: sender.rawValue)
        request.headers.add(name: RequestSignature.timestampHeader, value: timestamp)
        request.headers.add(name: RequestSignature.signatureHeader, value: requestSignature)
        request.body = .bytes(ByteBuffer(bytes: body))
        request.tlsConfiguration = tls
        do {
            let response = try await http.execute(request, timeout: timeout.map {
                .nanoseconds($0.components.seconds * 1_000_000_000 + $0.components.attoseconds / 1_000_000_000)
            } ?? self.timeout)
            let answer = try await response.body.collect(upTo: 1 << 20)
            let text = String(buffer: answer)
            guard response.status == .ok else {
                if (300...399).contains(response.status.code) {
                    let location = response.headers.first(name: "Location").map { " to \($0.prefix(200))" } ?? ""
                    return .status(Int(response.status.code), body: "a redirect\(location), not followed: \(text.prefix(300))", retryAfter: nil)
                }
                if (200...299).contains(response.status.code) {
                    // 201, 202, 204: the peer may have the batch, but said nothing of its records
                    // (clarification 10): no receipt, so retried and kept for an operator.
                    return .notTheReceipt("the peer answered \(response.status.code), not 200 with a receipt: \(text.prefix(300))")
                }
                let retryAfter = response.headers.first(name: "Retry-After").flatMap { RetryAfter.seconds($0, now: now) }
                return .status(Int(response.status.code), body: text, retryAfter: retryAfter)
            }
            if signedAnswers, let fault = Self.unsigned(response.headers, body: answer, requestSignature: requestSignature, key: signer, now: now) {
                return .notTheReceipt("the peer's answer \(fault): a receipt is taken from this peer only signed")
            }
            guard let receipt = try? JSONDecoder().decode(Receipt.self, from: Data(text.utf8)) else {
                return .notTheReceipt("the peer answered 200 without a receipt: \(text.prefix(300))")
            }
            if receipt.batchId != batchId {
                return .notTheReceipt("the peer answered a receipt of another batch (\(receipt.batchId.prefix(64)), not \(batchId))")
            }
            if receipt.bodySha256 != bodySha256 {
                return .notTheReceipt("the peer answered a receipt of another body (SHA-256 \(receipt.bodySha256.prefix(64)), not \(bodySha256))")
            }
            if let recordCount, receipt.counts.records != recordCount {
                return .notTheReceipt("the peer answered a receipt of another record count (\(receipt.counts.records), not \(recordCount))")
            }
            return .receipt(receipt)
        } catch {
            return .transport(String(describing: error).prefix(300).description)
        }
    }

    /// The peer's manifest of the batches it received from `sender` between two instants. A manifest
    /// of another pair is not taken (as a sender takes no receipt of another batch): it would
    /// confirm or miss what it does not describe. Entries received outside the window asked for are
    /// set apart, not taken (clarification 11: some receivers read `until` as inclusive).
    public func manifest(from baseURL: String, of peer: Agency, as sender: Agency, signer: RequestSignature, since: Date, until: Date,
                         now: Date = Date(), tls: TLSConfiguration? = nil, signedAnswers: Bool = false) async throws -> ManifestAnswer {
        let query = "since=\(Instant.text(since))&until=\(Instant.text(until))"
        let path = "/exchange/v1/manifest?" + query
        let timestamp = Instant.text(now)
        let requestSignature = signer.sign(method: "GET", pathWithQuery: path, timestamp: timestamp, body: [])
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: RequestSignature.senderHeader, value: sender.rawValue)
        request.headers.add(name: RequestSignature.timestampHeader, value: timestamp)
        request.headers.add(name: RequestSignature.signatureHeader, value: requestSignature)
        request.tlsConfiguration = tls
        let response = try await http.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let text = String(buffer: bytes)
        guard response.status == .ok else { throw PeerClientError("\(baseURL) answered \(response.status.code) to the manifest: \(text.prefix(300))") }
        if signedAnswers, let fault = Self.unsigned(response.headers, body: bytes, requestSignature: requestSignature, key: signer, now: now) {
            throw PeerClientError("\(baseURL) answered a manifest that \(fault): a manifest is taken from \(peer) only signed, so this is no answer")
        }
        var manifest: Manifest
        do { manifest = try JSONDecoder().decode(Manifest.self, from: Data(text.utf8)) } catch {
            throw PeerClientError("\(baseURL) answered a manifest that cannot be read: \(error)")
        }
        guard manifest.sender == sender.rawValue, manifest.receiver == peer.rawValue else {
            throw PeerClientError("\(baseURL) answered the manifest of another pair (\(manifest.sender.prefix(16)) → \(manifest.receiver.prefix(16)), not \(sender) → \(peer))")
        }
        // The window as asked for: whole seconds, as the query wrote it.
        let from = Instant.parse(Instant.text(since)) ?? since
        let to = Instant.parse(Instant.text(until)) ?? until
        var outside: [ManifestEntry] = []
        manifest.batches.removeAll { entry in
            guard let at = Instant.parse(entry.receivedAt), at >= from, at < to else { outside.append(entry); return true }
            return false
        }
        return ManifestAnswer(manifest: manifest, outsideWindow: outside)
    }
}

extension PeerClient {
    /// What is wrong with a 200 answer's signature (clarification 13), or nil when `key` signed it
    /// for this request within the window.
    static func unsigned(_ headers: HTTPHeaders, body: ByteBuffer, requestSignature: String, key: RequestSignature, now: Date) -> String? {
        do throws(RequestSignature.Failure) {
            try key.verifyAnswer(status: 200, requestSignature: requestSignature, timestamp: headers.first(name: RequestSignature.timestampHeader),
                                 signature: headers.first(name: RequestSignature.signatureHeader), bodySha256: sha256Hex(body.readableBytesView), now: now)
            return nil
        } catch {
            return error.sentence
        }
    }
}

/// A peer's manifest as a sender takes it: the entries inside the window asked for, and those set
/// apart because their `receivedAt` falls outside it (or cannot be read).
public struct ManifestAnswer: Sendable, Equatable {
    public var manifest: Manifest
    public var outsideWindow: [ManifestEntry]
}

/// A peer call that did not give what was asked.
public struct PeerClientError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
