import Crypto
import Foundation

/// The signature every request between gateways carries (`exchange-protocol.md`, Authentication):
/// HMAC-SHA256 with the pair's key over `METHOD \n PATH_WITH_QUERY \n TIMESTAMP \n hex(SHA-256(body))`.
public struct RequestSignature: Sendable {
    public static let senderHeader = "X-PES-Sender"
    public static let timestampHeader = "X-PES-Timestamp"
    public static let signatureHeader = "X-PES-Signature"
    /// How far a request's timestamp may be from the receiver's clock.
    public static let window: TimeInterval = 300

    let key: SymmetricKey

    public init(key: [UInt8]) { self.key = SymmetricKey(data: key) }

    /// The text that is signed.
    public static func canonical(method: String, pathWithQuery: String, timestamp: String, body: some DataProtocol) -> String {
        canonical(method: method, pathWithQuery: pathWithQuery, timestamp: timestamp, bodySha256: sha256Hex(body))
    }

    /// The same, for a body whose SHA-256 (lower-case hex) is known already: a large body is hashed
    /// once for its signature and its ledger row.
    public static func canonical(method: String, pathWithQuery: String, timestamp: String, bodySha256: String) -> String {
        "\(method)\n\(pathWithQuery)\n\(timestamp)\n\(bodySha256)"
    }

    /// The `X-PES-Signature` value: `hmac-sha256=` and the lower-case hex of the HMAC.
    public func sign(method: String, pathWithQuery: String, timestamp: String, body: some DataProtocol) -> String {
        sign(method: method, pathWithQuery: pathWithQuery, timestamp: timestamp, bodySha256: sha256Hex(body))
    }

    public func sign(method: String, pathWithQuery: String, timestamp: String, bodySha256: String) -> String {
        let text = Self.canonical(method: method, pathWithQuery: pathWithQuery, timestamp: timestamp, bodySha256: bodySha256)
        return "hmac-sha256=" + Self.hex(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key))
    }

    public enum Failure: Error, Equatable, Sendable {
        case missingHeader(String)
        case malformedSignature
        case badSignature
        case timestampUnreadable
        case outsideWindow(seconds: Int)
    }

    /// What a request's headers alone can prove before its body is read: a timestamp that reads
    /// and lies inside the window, and a signature of the right form.
    public static func precheck(timestamp: String?, signature: String?, now: Date = Date()) throws(Failure) {
        guard let timestamp else { throw .missingHeader(timestampHeader) }
        guard let signature else { throw .missingHeader(signatureHeader) }
        guard signature.hasPrefix("hmac-sha256="), let mac = bytes(hex: String(signature.dropFirst("hmac-sha256=".count))), mac.count == 32 else {
            throw .malformedSignature
        }
        guard let instant = Instant.parse(timestamp) else { throw .timestampUnreadable }
        let skew = abs(instant.timeIntervalSince(now))
        guard skew <= window else { throw .outsideWindow(seconds: Int(skew)) }
    }

    /// Checks a request's signature (in constant time) and its timestamp against `now`.
    public func verify(method: String, pathWithQuery: String, timestamp: String?, signature: String?, body: some DataProtocol,
                       now: Date = Date()) throws(Failure) {
        try verify(method: method, pathWithQuery: pathWithQuery, timestamp: timestamp, signature: signature, bodySha256: sha256Hex(body), now: now)
    }

    /// The same, for a body whose SHA-256 (lower-case hex) is known already.
    public func verify(method: String, pathWithQuery: String, timestamp: String?, signature: String?, bodySha256: String,
                       now: Date = Date()) throws(Failure) {
        try check(timestamp: timestamp, signature: signature, now: now) { timestamp in
            Self.canonical(method: method, pathWithQuery: pathWithQuery, timestamp: timestamp, bodySha256: bodySha256)
        }
    }

    /// The checks a request's and an answer's signatures share: both headers present, the
    /// signature's form, the HMAC of `text(timestamp)` (in constant time), then the timestamp within
    /// `window` of `now`.
    func check(timestamp: String?, signature: String?, now: Date, text: (String) -> String) throws(Failure) {
        guard let timestamp else { throw .missingHeader(Self.timestampHeader) }
        guard let signature else { throw .missingHeader(Self.signatureHeader) }
        guard signature.hasPrefix("hmac-sha256="), let mac = Self.bytes(hex: String(signature.dropFirst("hmac-sha256=".count))), mac.count == 32 else {
            throw .malformedSignature
        }
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(text(timestamp).utf8), using: key) else { throw .badSignature }
        guard let instant = Instant.parse(timestamp) else { throw .timestampUnreadable }
        let skew = abs(instant.timeIntervalSince(now))
        guard skew <= Self.window else { throw .outsideWindow(seconds: Int(skew)) }
    }

    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0x0F)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(hex: String) -> [UInt8]? {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            default: nil   // lower-case hex only, as the protocol writes it
            }
        }
        var i = 0
        while i < chars.count {
            guard let h = value(chars[i]), let l = value(chars[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }
}

/// SHA-256 in lower-case hex: body digests and record content digests.
public func sha256Hex(_ data: some DataProtocol) -> String { RequestSignature.hex(SHA256.hash(data: data)) }

/// SHA-256 of what `handle` reads to its end, in parts, as lower-case hex.
public func sha256Hex(reading handle: FileHandle) throws -> String {
    var hash = SHA256()
    while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty { hash.update(data: data) }
    return RequestSignature.hex(hash.finalize())
}

/// The SHA-256 of what `handle` holds from where it stands, in hex, each megabyte written to `copy`
/// as it is hashed (one read makes both: the pick-up's copy of a document).
public func sha256Hex(reading handle: FileHandle, copyingInto copy: FileHandle) throws -> String {
    var hash = SHA256()
    while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
        hash.update(data: data)
        try copy.write(contentsOf: data)
    }
    return RequestSignature.hex(hash.finalize())
}
