import Crypto
import Foundation

/// A receiver's signature over its 200 answer to a signed request (`exchange-protocol.md`,
/// clarification 13): the same headers as a request's, `X-PES-Timestamp` and `X-PES-Signature`,
/// HMAC-SHA256 with the key that verified the request over
/// `"answer" \n STATUS \n REQUEST_SIGNATURE \n TIMESTAMP \n hex(SHA-256(answer body))`. The answer
/// is bound to the request it answers (its signature), and nobody without the pair's key writes it.
///
/// ```swift
/// // The receiver, answering a request that `key` verified:
/// let signature = key.signAnswer(status: 200, requestSignature: sent, timestamp: now, bodySha256: sha256Hex(body))
/// // The sender, that signed the request with `key`:
/// try key.verifyAnswer(status: 200, requestSignature: sent, timestamp: ts, signature: sig, bodySha256: sha256Hex(body))
/// ```
extension RequestSignature {
    /// The text an answer's signature is over.
    public static func answerCanonical(status: Int, requestSignature: String, timestamp: String, bodySha256: String) -> String {
        "answer\n\(status)\n\(requestSignature)\n\(timestamp)\n\(bodySha256)"
    }

    /// The answer's `X-PES-Signature` value.
    public func signAnswer(status: Int, requestSignature: String, timestamp: String, bodySha256: String) -> String {
        let text = Self.answerCanonical(status: status, requestSignature: requestSignature, timestamp: timestamp, bodySha256: bodySha256)
        return "hmac-sha256=" + Self.hex(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key))
    }

    /// Checks an answer's signature (in constant time) and its timestamp against `now` (within
    /// `window`, as a request's). Throws the fault: a missing header, a malformed or wrong
    /// signature, a timestamp that does not read or lies outside the window.
    public func verifyAnswer(status: Int, requestSignature: String, timestamp: String?, signature: String?, bodySha256: String,
                             now: Date = Date()) throws(Failure) {
        try check(timestamp: timestamp, signature: signature, now: now) { timestamp in
            Self.answerCanonical(status: status, requestSignature: requestSignature, timestamp: timestamp, bodySha256: bodySha256)
        }
    }
}

extension RequestSignature.Failure {
    /// What the fault is, in a sentence (for an answer: "the peer's answer …" precedes it).
    public var sentence: String {
        switch self {
        case .missingHeader(let name): "has no \(name) header"
        case .malformedSignature: "has a signature that is not hmac-sha256= and 64 lower-case hex digits"
        case .badSignature: "has a signature that does not match (not written with the pair's key, or not for this request)"
        case .timestampUnreadable: "has a timestamp that is not RFC 3339"
        case .outsideWindow(let seconds): "is timestamped \(seconds) s away from this gateway's clock (at most \(Int(RequestSignature.window)))"
        }
    }
}
