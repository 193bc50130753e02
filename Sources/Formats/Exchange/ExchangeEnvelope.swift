import ExchangeProtocol
import Foundation
import Model

/// A batch's envelope as read, in either form: every member by its JSON name (the XML form's
/// attributes, and its `Taxonomy` element as the `taxonomy` object), in any order
/// (`exchange-records.md` §4, §5). Checked once every member is known: the rules of §4, with the
/// status a fault gets (`DocumentError.Kind`: 400 malformed, 422 unsupported).
struct ExchangeEnvelope {
    var members: [(String, JSONValue)] = []

    static let required = ["profile", "batchId", "sender", "receiver", "recordType", "createdAt", "taxonomy"]
    static let allowed = required + ["resubmissionOf"]

    subscript(_ name: String) -> JSONValue? { members.first { $0.0 == name }?.1 }

    /// A member's text, if it is a string.
    func text(_ name: String) -> String? { if case .string(let s)? = self[name] { s } else { nil } }

    /// Whether every required member has been read (records can then be decoded as they come).
    var isComplete: Bool { Self.required.allSatisfy { self[$0] != nil } }

    /// The values as strings, for the receiving side (`batchId`, `receiver`, …).
    var values: [String: String] {
        var values: [String: String] = [:]
        for (name, value) in members { if case .string(let s) = value { values[name] = s } }
        return values
    }

    /// Checks every rule of the envelope; returns the sender. `recordType` is the format's, unless
    /// the reader takes it from the envelope.
    func check(_ recordType: RecordType?, agencies: AgencyDirectory, line: Int) throws(DocumentError) -> Agency {
        func fail(_ m: String, _ kind: DocumentError.Kind = .malformed) -> DocumentError { DocumentError(line: line, "envelope: \(m)", kind: kind) }
        for (name, _) in members where !Self.allowed.contains(name) {
            throw fail("\(name.prefix(40)) is not a member of the envelope (\(Self.allowed.joined(separator: ", ")), records)")
        }
        func string(_ name: String) throws(DocumentError) -> String {
            switch self[name] {
            case nil: throw fail("\(name) is missing")
            case .string(let s)?: return s
            case let other?: throw fail("\(name) should be a string, found \(other.kind)")
            }
        }
        let profile = try string("profile")
        guard profile == ExchangeFormat.profile else { throw fail("profile '\(profile.prefix(40))' is not supported (\(ExchangeFormat.profile))", .unsupported) }
        let type = try string("recordType")
        guard let declared = RecordType(rawValue: type) else { throw fail("recordType '\(type.prefix(16))' is not vacancy or trainee") }
        if let recordType, declared != recordType { throw fail("recordType is '\(type)', expected \(recordType.rawValue)") }
        switch self["taxonomy"] {
        case nil: throw fail("taxonomy is missing")
        case .object(let t)?:
            for (name, _) in t where name != "scheme" && name != "version" { throw fail("taxonomy.\(name.prefix(40)) is not a member of the taxonomy (scheme, version)") }
            guard case .string(let scheme)? = self["taxonomy"]?["scheme"], case .string(let version)? = self["taxonomy"]?["version"] else {
                throw fail("taxonomy holds scheme and version, both strings")
            }
            guard scheme == "ROME", version == "3" else { throw fail("taxonomy must be ROME 3, not \(scheme.prefix(16)) \(version.prefix(16))", .unsupported) }
        case let other?: throw fail("taxonomy should be an object, found \(other.kind)")
        }
        let batchId = try string("batchId")
        guard Self.isCanonicalUUID(batchId) else { throw fail("batchId is not a UUID in lower-case canonical form (xxxxxxxx-xxxx-Mxxx-Nxxx-xxxxxxxxxxxx)") }
        let senderText = try string("sender")
        guard let sender = agencies.agency(senderText) else {
            throw fail("sender '\(senderText.prefix(16))' is not an agency of the protocol")
        }
        let receiverText = try string("receiver")
        guard let receiver = agencies.agency(receiverText), receiver != sender else {
            throw fail("receiver '\(receiverText.prefix(16))' is not another agency of the protocol")
        }
        let created = try string("createdAt")
        guard Instant.parse(created) != nil else { throw fail("createdAt '\(created.prefix(40))' is not an RFC 3339 instant with Z or an offset") }
        if self["resubmissionOf"] != nil {
            let original = try string("resubmissionOf")
            guard Self.isCanonicalUUID(original) else { throw fail("resubmissionOf is not a UUID in lower-case canonical form") }
            guard original != batchId else { throw fail("resubmissionOf names the batch itself; it names the failed batch this one resubmits") }
        }
        return sender
    }

    /// `^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`: a UUID of a
    /// known version and the RFC 9562 variant, in lower case (the nil UUID is none).
    static func isCanonicalUUID(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 36 else { return false }
        func hex(_ c: UInt8) -> Bool { (48...57).contains(c) || (97...102).contains(c) }
        for (i, c) in b.enumerated() {
            switch i {
            case 8, 13, 18, 23: guard c == 0x2D else { return false }
            case 14: guard (49...56).contains(c) else { return false }
            case 19: guard c == 56 || c == 57 || c == 97 || c == 98 else { return false }
            default: guard hex(c) else { return false }
            }
        }
        return true
    }
}
