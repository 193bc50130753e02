import Crypto
import Foundation
import Model

/// The key that seals stored payloads holding personal data (trainee records) at rest: AES-256-GCM,
/// the key derived (SHA-256) from the contents of an owner-only file. Statistics read the ledger's
/// columns, never the payloads, so they never need it.
///
/// A payload sealed with it names it by its id (8 bytes of a hash apart from the key), so that a
/// key can be replaced: the new one seals, the old ones stay readable (`retired`) until
/// `gateway keys reseal` has moved every payload to the new one.
///
/// ```swift
/// let key = try PayloadKey(material: newFile).retiring([try PayloadKey(material: oldFile)])
/// let store = try SQLiteStore(path: "forem.sqlite", payloadKey: key)
/// let moved = try store.resealPayloads()   // every payload now under the new key
/// ```
public struct PayloadKey: Sendable {
    let key: SymmetricKey
    /// The id a payload sealed with this key carries (not secret: it tells nothing of the key).
    public let id: [UInt8]
    /// Derived from the same material, apart, or from a key of its own (`pseudonymMaterial`): the
    /// key of the persons' pseudonyms.
    let pseudonymKey: SymmetricKey
    /// Which key makes the pseudonyms (8 bytes of a hash apart from it), to tell when it changed.
    public let pseudonymId: [UInt8]
    /// Keys replaced by this one, which open what they sealed and seal nothing.
    public private(set) var retired: [PayloadKey] = []

    /// From a key file's contents (at least 32 bytes, e.g. 64 hex digits). The pseudonyms are made
    /// from `pseudonymMaterial` when given (`pseudonymKeyFile`), so that replacing the payload
    /// key does not make everyone a new person to the statistics; else from `material`.
    public init(material: [UInt8], pseudonymMaterial: [UInt8]? = nil) throws {
        let trimmed = try Self.trimmed(material, "a payload key")
        key = SymmetricKey(data: SHA256.hash(data: trimmed))
        id = Array(SHA256.hash(data: Array("be-pes payload key id\u{0}".utf8) + trimmed).prefix(8))
        let pseudonyms = try pseudonymMaterial.map { try Self.trimmed($0, "a pseudonym key") } ?? trimmed
        pseudonymId = Array(SHA256.hash(data: Array("be-pes pseudonym key id\u{0}".utf8) + pseudonyms).prefix(8))
        pseudonymKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: pseudonyms), info: Array("be-pes person pseudonym".utf8), outputByteCount: 32)
    }

    private static func trimmed(_ material: [UInt8], _ what: String) throws -> [UInt8] {
        let trimmed = Array(String(decoding: material, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard trimmed.count >= 32 else { throw PayloadError("\(what) needs at least 32 bytes of material; this one has \(trimmed.count)") }
        return trimmed
    }

    /// This key, opening as well what `keys` sealed (`payloadRetiredKeyFiles`).
    public func retiring(_ keys: [PayloadKey]) -> PayloadKey {
        var copy = self
        copy.retired = keys.flatMap { [$0] + $0.retired }.filter { $0.id != id }
        return copy
    }

    /// The id as a reader sees it: 16 hex digits.
    public var idText: String { id.map { String(format: "%02x", $0) }.joined() }

    /// The key among this one and the retired ones whose id is `id`.
    func opening(_ id: some Collection<UInt8>) -> PayloadKey? { ([self] + retired).first { $0.id.elementsEqual(id) } }

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

/// Where a sealed payload rests, which its seal is bound to (AES-GCM's associated data): a payload
/// copied or swapped into another row — another batch, the other direction, another document or
/// part — no longer opens.
enum PayloadPlace: Sendable, Equatable {
    case batch(id: String, direction: BatchDirection)
    case document(source: String, sha256: String)
    case documentPart(source: String, sha256: String, part: Int)

    var associatedData: [UInt8] {
        let fields: [String] = switch self {
        case .batch(let id, let direction): ["batch", direction.rawValue, id]
        case .document(let source, let sha256): ["document", source, sha256]
        case .documentPart(let source, let sha256, let part): ["document part", source, sha256, String(part)]
        }
        return Array(("be-pes payload\u{0}" + fields.joined(separator: "\u{0}")).utf8)
    }
}

/// How payloads are stored: trainee payloads sealed when a key is configured, the rest as they are.
/// A sealed payload starts with a marker no JSON or XML document starts with, then the sealing
/// key's id (8 bytes), so that the payload key can be replaced. `PESENC3` payloads are bound to
/// their place (`PayloadPlace`); those sealed before are still opened — `PESENC2` (a key id, no
/// place) and `PESENC1` (neither: opened with whichever configured key opens them) — and
/// `gateway keys reseal` moves them to `PESENC3`.
enum PayloadSealing {
    static let marker: [UInt8] = Array("PESENC3\u{0}".utf8)
    static let unboundMarker: [UInt8] = Array("PESENC2\u{0}".utf8)
    static let unnamedMarker: [UInt8] = Array("PESENC1\u{0}".utf8)

    /// Whether payloads of `recordType` are sealed under `key`.
    static func seals(_ recordType: RecordType, key: PayloadKey?) -> Bool { recordType == .trainee && key != nil }

    static func seal(_ bytes: [UInt8], recordType: RecordType, key: PayloadKey?, at place: PayloadPlace) throws -> Data {
        guard seals(recordType, key: key), let key else { return Data(bytes) }
        guard let combined = try AES.GCM.seal(bytes, using: key.key, authenticating: place.associatedData).combined else {
            throw PayloadError("the payload could not be sealed")
        }
        return Data(marker) + Data(key.id) + combined
    }

    static func open(_ data: Data, key: PayloadKey?, at place: PayloadPlace) throws -> [UInt8] {
        let bound = data.starts(with: marker), named = bound || data.starts(with: unboundMarker)
        guard named || data.starts(with: unnamedMarker) else { return [UInt8](data) }
        guard let key else { throw PayloadError("the stored payload is sealed (trainee records): configure payloadKeyFile to read it") }
        if named {
            let id = data.dropFirst(marker.count).prefix(8)
            guard let opener = key.opening(id) else {
                throw PayloadError("the stored payload is sealed with payload key \(id.map { String(format: "%02x", $0) }.joined()), which is neither payloadKeyFile "
                                   + "(\(key.idText)) nor one of payloadRetiredKeyFiles")
            }
            do {
                let box = try AES.GCM.SealedBox(combined: data.dropFirst(marker.count + 8))
                return [UInt8](bound ? try AES.GCM.open(box, using: opener.key, authenticating: place.associatedData) : try AES.GCM.open(box, using: opener.key))
            } catch {
                throw PayloadError("the stored payload cannot be opened with payload key \(opener.idText): damaged, or not this row's (moved from another batch or document)")
            }
        }
        for candidate in [key] + key.retired {
            if let opened = try? AES.GCM.open(AES.GCM.SealedBox(combined: data.dropFirst(unnamedMarker.count)), using: candidate.key) { return [UInt8](opened) }
        }
        throw PayloadError("the stored payload cannot be opened with the configured payload keys (another key, or damaged)")
    }

    /// `data` sealed again under `key` and bound to `place` if it is sealed otherwise (a retired
    /// key, no key id, no place); nil if it is not sealed, or already sealed so.
    static func reseal(_ data: Data, key: PayloadKey, at place: PayloadPlace) throws -> Data? {
        if data.starts(with: marker), data.dropFirst(marker.count).prefix(8).elementsEqual(key.id) { return nil }
        guard data.starts(with: marker) || data.starts(with: unboundMarker) || data.starts(with: unnamedMarker) else { return nil }
        return try seal(try open(data, key: key, at: place), recordType: .trainee, key: key, at: place)
    }
}
