import Exchange
import Formats
import Foundation
import Model
import Yams

/// One gateway's configuration, from one YAML file (`deploy/local/<agency>.yaml`). Secrets are
/// never in the file: keys are read from the files it names, which must not be readable by others.
public struct GatewayConfiguration: Sendable {
    public struct Peer: Sendable {
        public var agency: Agency
        /// The peer gateway's base URL (for sending; the sending side uses it).
        public var url: String?
        /// The key the peer signs its requests to us with.
        public var receiveKey: [UInt8]
        /// The key we sign our requests to the peer with.
        public var sendKey: [UInt8]?
        public var receives: Set<RecordType>
        public var sends: Set<RecordType>
    }

    public var agency: Agency
    public var host: String
    public var port: Int
    /// The SQLite store (relative paths are relative to the configuration file's folder).
    public var store: String
    public var mappings: String?
    public var peers: [Agency: Peer]
    /// The back-office drop folder and the agency's own format for each record type it takes.
    public var deliveryFolder: String
    public var deliveryFormats: [RecordType: String]

    /// Reads and checks the file; a fault names the file, the line and the key.
    public static func load(_ path: String) throws -> GatewayConfiguration {
        guard let text = String(validating: try LocalFiles.bytes(path), as: UTF8.self) else { throw SourceFault(file: path, line: 0, "not valid UTF-8") }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        func fail(_ node: Node?, _ key: String, _ message: String) -> SourceFault {
            SourceFault(file: path, line: node?.mark?.line ?? 1, "\(key): \(message)")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw SourceFault(file: path, line: 0, "the file is empty") }
            root = node
        } catch let fault as SourceFault {
            throw fault
        } catch {
            throw SourceFault(file: path, line: 1, "not valid YAML: \(error)")
        }
        func mapping(_ node: Node?, _ key: String, allowed: Set<String>) throws -> [String: Node] {
            guard case .mapping(let pairs)? = node else { throw fail(node, key, "expected a mapping") }
            var result: [String: Node] = [:]
            for (k, v) in pairs {
                let name = k.scalar?.string ?? ""
                guard allowed.contains(name) else { throw fail(k, key.isEmpty ? name : "\(key).\(name)", "unknown setting (allowed: \(allowed.sorted().joined(separator: ", ")))") }
                result[name] = v
            }
            return result
        }
        func string(_ m: [String: Node], _ name: String, _ key: String, in node: Node?) throws -> String {
            guard let v = m[name] else { throw fail(node, key, "missing") }
            guard let s = v.scalar?.string, !s.isEmpty else { throw fail(v, key, "expected a single value") }
            return s
        }
        func agency(_ text: String, _ node: Node?, _ key: String) throws -> Agency {
            guard let a = Agency(rawValue: text), Agency.protocolAgencies.contains(a) else {
                throw fail(node, key, "'\(text)' is not one of \(Agency.protocolAgencies.map(\.rawValue).joined(separator: ", "))")
            }
            return a
        }
        func types(_ m: [String: Node], _ name: String, _ key: String) throws -> Set<RecordType> {
            guard let v = m[name] else { return [] }
            guard case .sequence(let items) = v else { throw fail(v, key, "expected a list of vacancy, trainee") }
            return try Set(items.map { item in
                guard let t = item.scalar.flatMap({ RecordType(rawValue: $0.string) }) else { throw fail(item, key, "expected vacancy or trainee") }
                return t
            })
        }
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : LocalFiles.join(folder, p) }
        func key(_ m: [String: Node], _ name: String, _ key: String) throws -> [UInt8]? {
            guard let v = m[name] else { return nil }
            guard let file = v.scalar?.string else { throw fail(v, key, "expected a file name") }
            let full = resolve(file)
            let attributes: [FileAttributeKey: Any]
            do { attributes = try FileManager.default.attributesOfItem(atPath: full) } catch { throw fail(v, key, "\(full): no such file") }
            if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
                throw fail(v, key, "\(full) is readable by others (mode \(String(mode, radix: 8))): chmod 600 it")
            }
            let bytes = try LocalFiles.bytes(full)
            let trimmed = Array(String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).utf8)
            guard trimmed.count >= 16 else { throw fail(v, key, "\(full) holds a key of \(trimmed.count) bytes; at least 16 are required") }
            return trimmed
        }

        let top = try mapping(root, "", allowed: ["agency", "listen", "store", "mappings", "peers", "delivery"])
        let own = try agency(try string(top, "agency", "agency", in: root), top["agency"], "agency")
        let listen = try string(top, "listen", "listen", in: root)
        let parts = listen.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]), (0...65535).contains(port) else { throw fail(top["listen"], "listen", "expected host:port, got '\(listen)'") }
        var peers: [Agency: Peer] = [:]
        guard case .mapping(let peerPairs)? = top["peers"] else { throw fail(top["peers"] ?? root, "peers", "missing, or not a mapping of agency → settings") }
        for (k, v) in peerPairs {
            let name = k.scalar?.string ?? ""
            let peer = try agency(name, k, "peers.\(name)")
            guard peer != own else { throw fail(k, "peers.\(name)", "a gateway is not its own peer") }
            let base = "peers.\(name)"
            let m = try mapping(v, base, allowed: ["url", "receiveKeyFile", "sendKeyFile", "receive", "send"])
            guard let receiveKey = try key(m, "receiveKeyFile", "\(base).receiveKeyFile") else { throw fail(v, "\(base).receiveKeyFile", "missing") }
            let sends = try types(m, "send", "\(base).send")
            let sendKey = try key(m, "sendKeyFile", "\(base).sendKeyFile")
            if !sends.isEmpty && (sendKey == nil || m["url"] == nil) { throw fail(v, base, "sending to \(name) needs url and sendKeyFile") }
            peers[peer] = Peer(agency: peer, url: m["url"]?.scalar?.string, receiveKey: receiveKey, sendKey: sendKey,
                               receives: try types(m, "receive", "\(base).receive"), sends: sends)
        }
        let deliveryNode = top["delivery"]
        let delivery = try mapping(deliveryNode, "delivery", allowed: ["folder", "vacancy", "trainee"])
        var formats: [RecordType: String] = [:]
        for type in RecordType.allCases {
            if let v = delivery[type.rawValue] {
                guard let name = v.scalar?.string, !name.isEmpty else { throw fail(v, "delivery.\(type.rawValue)", "expected a format name") }
                formats[type] = name
            }
        }
        for (agency, peer) in peers {
            for type in peer.receives where formats[type] == nil {
                throw fail(deliveryNode, "delivery.\(type.rawValue)", "missing: \(agency) sends \(type.rawValue) records, in which format does the back office take them?")
            }
        }
        return GatewayConfiguration(agency: own, host: String(parts[0]), port: port, store: resolve(try string(top, "store", "store", in: root)),
                                    mappings: try top["mappings"].map { _ in resolve(try string(top, "mappings", "mappings", in: root)) }, peers: peers,
                                    deliveryFolder: resolve(try string(delivery, "folder", "delivery.folder", in: deliveryNode)), deliveryFormats: formats)
    }

    /// The receiving side's view of the peers.
    public var receivingPeers: [Agency: ReceivingGateway.Peer] {
        peers.mapValues { ReceivingGateway.Peer(signature: RequestSignature(key: $0.receiveKey), receives: $0.receives) }
    }
}
