import Crypto
import Foundation
import Formats

/// The key that seals stored payloads holding personal data (trainee records) at rest: AES-256-GCM,
/// the key derived (SHA-256) from the contents of an owner-only file. Statistics read the ledger's
/// columns, never the payloads, so they never need it.
public struct PayloadKey: Sendable {
    let key: SymmetricKey
    /// Derived from the same material, apart: the key of the persons' pseudonyms.
    let pseudonymKey: SymmetricKey

    /// From a key file's contents (at least 32 bytes, e.g. 64 hex digits).
    public init(material: [UInt8]) throws {
        let trimmed = Array(String(decoding: material, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard trimmed.count >= 32 else { throw PayloadError("a payload key needs at least 32 bytes of material; this one has \(trimmed.count)") }
        key = SymmetricKey(data: SHA256.hash(data: trimmed))
        pseudonymKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: trimmed), info: Array("be-pes person pseudonym".utf8), outputByteCount: 32)
    }

    /// A person's keyed pseudonym: HMAC-SHA256 of the national number under a key derived from the
    /// payload key. The same person is the same pseudonym in this gateway's ledger, so statistics
    /// count persons; without the key nobody can tell whose it is, or test a guess.
    public func pseudonym(of nationalNumber: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Array(nationalNumber.utf8), using: pseudonymKey).map { String(format: "%02x", $0) }.joined()
    }
}

public struct PayloadError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// How payloads are stored: trainee payloads sealed when a key is configured, the rest as they are.
/// A sealed payload starts with a marker no JSON or XML document starts with.
enum PayloadSealing {
    static let marker: [UInt8] = Array("PESENC1\u{0}".utf8)

    /// Whether payloads of `recordType` are sealed under `key`.
    static func seals(_ recordType: RecordType, key: PayloadKey?) -> Bool { recordType == .trainee && key != nil }

    static func seal(_ bytes: [UInt8], recordType: RecordType, key: PayloadKey?) throws -> Data {
        guard seals(recordType, key: key), let key else { return Data(bytes) }
        guard let combined = try AES.GCM.seal(bytes, using: key.key).combined else { throw PayloadError("the payload could not be sealed") }
        return Data(marker) + combined
    }

    static func open(_ data: Data, key: PayloadKey?) throws -> [UInt8] {
        guard data.starts(with: marker) else { return [UInt8](data) }
        guard let key else { throw PayloadError("the stored payload is sealed (trainee records): configure payloadKeyFile to read it") }
        do {
            return [UInt8](try AES.GCM.open(AES.GCM.SealedBox(combined: data.dropFirst(marker.count)), using: key.key))
        } catch {
            throw PayloadError("the stored payload cannot be opened with the configured payload key (another key, or damaged)")
        }
    }
}
