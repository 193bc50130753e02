import ExchangeHTTP
import ExchangeProtocol
import Formats
import Ledger
import Files
import Foundation
import Logging
import Model
import NIOCore
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
        /// The peer's next key, accepted as well while a rotation is under way (`receiveNextKeyFile`).
        public var receiveNextKey: [UInt8]?
        /// The key we sign our requests to the peer with.
        public var sendKey: [UInt8]?
        /// Our next key to the peer (`sendNextKeyFile`), and from when it signs (`sendNextFrom`).
        public var sendNextKey: [UInt8]?
        public var sendNextFrom: Date?
        /// The client certificate the peer must present to this gateway (`certificate:`).
        public var certificate: CertificatePin?
        /// The networks the peer's connections come from (`from: [CIDR]`; empty: any). Its requests
        /// from elsewhere are refused, and its connections take the listener's share kept for peers.
        public var networks: [SourceNetwork] = []
        /// Records may cross the network with this peer over plain HTTP off loopback (`insecure: true`).
        public var insecure = false
        /// The peer's 200 answers must be signed (`signedAnswers: required`; `optional`, the default,
        /// for a peer that does not sign them yet: clarification 13).
        public var signedAnswers = false
        public var receives: Set<RecordType>
        public var sends: Set<RecordType>
        /// The encoding the peer prefers for the batches it receives (`encoding: json|xml`).
        public var encoding: BatchForm = .json
        /// How long and how often a batch for this peer is tried (`limits:`), and each call's timeout.
        public var retry = RetryPolicy()
        public var timeout: Duration = .seconds(30)
        /// The most records in one batch for this peer (`limits.batchRecords`; the protocol allows 5,000).
        public var batchRecords = 5_000
    }

    /// Where accepted records are handed to the agency's back office.
    public enum BackOffice: Sendable, Equatable {
        /// Files written atomically into a folder (`delivery.folder`).
        case dropFolder(String)
        /// Each batch's document POSTed to a URL (`delivery.url`).
        case endpoint(String)
    }

    public var agency: Agency
    /// The exchange's listener (`listen`, `/exchange/v1/…` only), and its TLS (`tls:`).
    public var host: String
    public var port: Int
    public var tls: ListenerTLS?
    /// The operators' and staff's listener (`admin.listen`; by default 127.0.0.1 and the exchange's
    /// port + 1000, or a port of its own when the exchange's is 0) and its TLS (`admin.tls:`).
    public var admin: Listener
    /// What the gateway trusts and shows on its calls to peers (`tls.caFile`, and `tls`'s own certificate).
    public var outgoing = OutgoingTLS()
    /// How the gateway proves itself to the back office (`delivery.tokenFile`, `delivery.certificate`)
    /// and to the agency's export (`pickup.tokenFile`, `pickup.certificate`).
    public var deliveryCredentials = EndpointCredentials()
    public var pickupCredentials = EndpointCredentials()
    /// What the configuration allows in clear text that the gateway would otherwise refuse (each
    /// `insecure: true`), as the warning logged at start says it.
    public var insecure: [String] = []
    /// The file this configuration was read from, and the folder its relative paths are relative to
    /// (what a reload reads again).
    public var source: (file: String, base: String?)?

    /// An address to listen on, with its TLS.
    public struct Listener: Sendable {
        public var host: String
        public var port: Int
        public var tls: ListenerTLS?
        public init(host: String, port: Int, tls: ListenerTLS? = nil) {
            self.host = host
            self.port = port
            self.tls = tls
        }
        /// `https://host:port` or `http://…`.
        public func url(port bound: Int? = nil) -> String { "\(tls == nil ? "http" : "https")://\(host):\(bound ?? port)" }
    }
    /// The ledger: a SQLite file (relative paths are relative to the configuration file's folder),
    /// with how it commits (`store: { path: …, synchronous: full|normal }`: `full`, the default,
    /// flushes every commit to disk before a receipt is answered); or a PostgreSQL database shared
    /// by the gateway's replicas (`store: postgres://…` or `store: { url: …, passwordFile: … }`).
    public var store: StoreLocation
    /// This process's name among the gateway's replicas (`store.replica`; by default the host name
    /// and the listening port, which no two processes on one host share).
    public var replica: String
    /// How long a replica's claim on a batch holds before another replica may take it over
    /// (`store.lease`, 60 s by default): longer than one attempt to send a batch takes.
    public var lease: TimeInterval = 60
    public var mappings: String?
    public var peers: [Agency: Peer]
    /// The back office, and the agency's own format for each record type it takes.
    public var backOffice: BackOffice
    public var deliveryFormats: [RecordType: String]
    /// How many batches are received at once before senders are asked to come back (429).
    public var receivingCapacity = 16
    /// How many of them one peer may send at once (`receiving.perPeer`; half the capacity when nil).
    public var receivingPerPeer: Int?
    /// What the listener allows any connection (`receiving.connections`, `headerTimeout`,
    /// `minimumRate`, `grace`, `idleTimeout`).
    public var connectionLimits = ConnectionLimits()
    /// What each peer may send in a minute (`receiving.quota`; none unless said).
    public var receivingQuota: PeerQuota?
    /// Below this many MiB free where batches are written, receiving answers 503
    /// (`receiving.freeDiskMegabytes`; 0: no floor).
    public var freeDiskMegabytes = 512
    /// What the gateway collects from its agency, and when (`pickup:`); nil: nothing is picked up.
    public var pickup: PickupSettings?
    /// Which records go to which peers (`routes:`).
    public var routing = Routing(rules: [])
    /// Seals trainee payloads at rest (`payloadKeyFile`, owner-only); nil: stored as they are.
    public var payloadKey: PayloadKey?
    /// How long payloads that nothing needs any more are kept (`retention.payloadDays`, 90 days
    /// unless said): a peer's bodies do not fill the disk for ever.
    public var payloadDays = 90
    /// How long finished batches' rows are kept (`retention.batchDays`, two years unless said).
    public var batchDays = 730
    /// How long audit entries are kept (`retention.auditDays`, a year unless said).
    public var auditDays = 365
    /// The operators allowed on the admin API (`operators.tokensFile`).
    public var operators = OperatorTokens.none
    /// Who may read the folders and files the gateway writes (`files.group`): its user only, or
    /// with that group too, for a back office that reads the delivery and pick-up folders.
    public var fileModes = FileModes.ownerOnly
    /// Trainee counts under this are shown as `<n>` to staff below the operator role
    /// (`statistics.minimumCell`, default 5; 1 shows every count).
    public var minimumCell = 5
    /// A reconcile with every peer sent to, every so often, over a window (`reconcile:`).
    public var reconcile: (every: TimeInterval, window: TimeInterval)?

    /// The drop folder, when the back office takes files.
    public var deliveryFolder: String? {
        if case .dropFolder(let folder) = backOffice { return folder }
        return nil
    }

    /// Reads and checks the file; a fault names the file, the line and the key.
    /// Relative paths in the file are relative to its folder, or to `base` when given (the demo runs
    /// `deploy/local`'s files under a folder of its own).
    public static func load(_ path: String, base: String? = nil) throws -> GatewayConfiguration {
        guard let text = String(validating: try LocalFiles.bytes(path), as: UTF8.self) else { throw SourceFault(file: path, line: 0, "not valid UTF-8") }
        let folder = base ?? URL(fileURLWithPath: path).deletingLastPathComponent().path
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
                guard allowed.contains(name) else {
                    throw fail(k, key.isEmpty ? name : "\(key).\(name)",
                               "unknown setting\(NearMiss.phrase(for: name, among: allowed)) (allowed: \(allowed.sorted().joined(separator: ", ")))")
                }
                result[name] = v
            }
            return result
        }
        func string(_ m: [String: Node], _ name: String, _ key: String, in node: Node?) throws -> String {
            guard let v = m[name] else { throw fail(node, key, "missing") }
            guard let s = v.scalar?.string, !s.isEmpty else { throw fail(v, key, "expected a single value") }
            return s
        }
        // The code's form here; whether the agency directory holds it, at start (`check(agencies:)`).
        func agency(_ text: String, _ node: Node?, _ key: String) throws -> Agency {
            guard let a = Agency(rawValue: text) else {
                throw fail(node, key, "'\(text.prefix(20))' is not an agency code (\(AgencyDirectory.profile.listed), or another of mappings/agencies.yaml)")
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
        func resolve(_ p: String) -> String { URL(fileURLWithPath: p.hasPrefix("/") ? p : LocalFiles.join(folder, p)).standardized.path }
        func secret(_ text: String, _ node: Node, _ key: String, from source: String) throws -> [UInt8] {
            let trimmed = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
            if let weakness = KeyStrength.weakness(of: trimmed) { throw fail(node, key, "\(source) \(weakness); \(KeyStrength.howToMake)") }
            return trimmed
        }
        /// The path of a file that only its owner may read (keys, tokens), resolved.
        func ownerOnlyFile(_ v: Node, _ key: String) throws -> String {
            guard let file = v.scalar?.string, !file.isEmpty else { throw fail(v, key, "expected a file name") }
            let full = resolve(file)
            do { _ = try LocalFiles.ownerOnly(full) } catch { throw fail(v, key, "\(error)") }
            return full
        }
        /// An http(s) URL with a host, and a port in range if it names one.
        func httpURL(_ v: Node, _ key: String, _ expected: String) throws -> String {
            guard let text = v.scalar?.string, let parsed = URL(string: text), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw fail(v, key, "expected \(expected)")
            }
            if let port = parsed.port, !(1...65535).contains(port) { throw fail(v, key, "\(text): port \(port) is out of range (1–65535)") }
            return text
        }
        /// A folder the gateway makes if missing: refused at start when a file stands where it, or
        /// a folder above it, would be.
        func folderPath(_ v: Node, _ key: String) throws -> String {
            guard let text = v.scalar?.string, !text.isEmpty else { throw fail(v, key, "expected a folder") }
            let full = resolve(text)
            var path = full
            while !path.isEmpty, path != "/" {
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
                    guard isFolder.boolValue else {
                        throw fail(v, key, path == full ? "\(full) is a file, not a folder" : "\(full) cannot be made: \(path) is a file")
                    }
                    break
                }
                path = (path as NSString).deletingLastPathComponent
            }
            return full
        }
        /// A key from `<name>File` (a file only its owner can read) or `<name>Env` (an environment variable).
        func key(_ m: [String: Node], _ stem: String, _ base: String) throws -> [UInt8]? {
            if let v = m[stem + "Env"] {
                let key = "\(base).\(stem)Env"
                guard m[stem + "File"] == nil else { throw fail(v, key, "give \(stem)File or \(stem)Env, not both") }
                guard let variable = v.scalar?.string, !variable.isEmpty else { throw fail(v, key, "expected an environment variable's name") }
                guard let value = ProcessInfo.processInfo.environment[variable] else { throw fail(v, key, "the environment variable \(variable) is not set") }
                return try secret(value, v, key, from: "$\(variable)")
            }
            let name = stem + "File", key = "\(base).\(name)"
            guard let v = m[name] else { return nil }
            let full = try ownerOnlyFile(v, key)
            return try secret(String(decoding: try LocalFiles.bytes(full), as: UTF8.self), v, key, from: full)
        }
        func positive(_ m: [String: Node], _ name: String, _ key: String) throws -> Int? {
            guard let v = m[name] else { return nil }
            guard let n = v.scalar.flatMap({ Int($0.string) }), n > 0 else { throw fail(v, key, "expected a whole number above 0") }
            return n
        }
        func duration(_ m: [String: Node], _ name: String, _ key: String) throws -> TimeInterval? {
            guard let v = m[name] else { return nil }
            guard let text = v.scalar?.string, let seconds = Self.seconds(text), seconds > 0 else {
                throw fail(v, key, "expected a duration such as 30s, 10m, 24h or 2d")
            }
            return seconds
        }

        let top = try mapping(root, "", allowed: ["agency", "listen", "tls", "admin", "store", "mappings", "peers", "delivery", "receiving", "pickup",
                                                       "routes", "operators", "reconcile", "payloadKeyFile", "payloadRetiredKeyFiles", "pseudonymKeyFile", "retention", "files", "statistics"])
        let own = try agency(try string(top, "agency", "agency", in: root), top["agency"], "agency")
        /// host:port, the host a name or an IPv4 address.
        func address(_ m: [String: Node], _ name: String, _ key: String, in node: Node?) throws -> (host: String, port: Int) {
            let text = try string(m, name, key, in: node)
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (0...65535).contains(port) else {
                throw fail(m[name], key, "expected host:port, got '\(text)'")
            }
            return (String(parts[0]), port)
        }
        let (listenHost, port) = try address(top, "listen", "listen", in: root)
        func flag(_ m: [String: Node], _ name: String, _ key: String) throws -> Bool {
            guard let v = m[name] else { return false }
            guard let value = v.scalar.flatMap({ ["true": true, "false": false][$0.string] }) else { throw fail(v, key, "expected true or false") }
            return value
        }
        /// A PEM file that exists and holds certificates.
        func certificates(_ v: Node, _ key: String) throws -> String {
            guard let file = v.scalar?.string, !file.isEmpty else { throw fail(v, key, "expected a file name") }
            let full = resolve(file)
            do { _ = try CertificateAuthorities.load(full) } catch { throw fail(v, key, "\(error)") }
            return full
        }
        /// `{ certificateFile, keyFile }`, both read and checked now.
        func identity(_ m: [String: Node], _ key: String, in node: Node?) throws -> CertificateFiles {
            guard let c = m["certificateFile"] else { throw fail(node, "\(key).certificateFile", "missing") }
            guard let k = m["keyFile"] else { throw fail(node, "\(key).keyFile", "missing") }
            let files = CertificateFiles(certificateFile: try certificates(c, "\(key).certificateFile"), keyFile: try ownerOnlyFile(k, "\(key).keyFile"))
            do { _ = try files.load() } catch { throw fail(k, "\(key).keyFile", "\(error)") }
            return files
        }
        /// A listener's `tls:` (`caFile` only on the exchange's: the trust of the calls out).
        func listenerTLS(_ node: Node, _ key: String, outgoing: Bool) throws -> (ListenerTLS, caFile: String?) {
            let t = try mapping(node, key, allowed: Set(["certificateFile", "keyFile", "clientCAFile", "requireClientCertificate"] + (outgoing ? ["caFile"] : [])))
            var settings = ListenerTLS(identity: try identity(t, key, in: node))
            settings.clientCAFile = try t["clientCAFile"].map { try certificates($0, "\(key).clientCAFile") }
            settings.requireClientCertificate = try flag(t, "requireClientCertificate", "\(key).requireClientCertificate")
            if settings.requireClientCertificate && settings.clientCAFile == nil {
                throw fail(t["requireClientCertificate"], "\(key).requireClientCertificate", "needs \(key).clientCAFile: the CAs whose client certificates are taken")
            }
            return (settings, try t["caFile"].map { try certificates($0, "\(key).caFile") })
        }
        var exchangeTLS: ListenerTLS?, outgoing = OutgoingTLS()
        if let t = top["tls"] {
            let (settings, caFile) = try listenerTLS(t, "tls", outgoing: true)
            exchangeTLS = settings
            outgoing = OutgoingTLS(caFile: caFile, identity: settings.identity)
        }
        var admin = Listener(host: "127.0.0.1", port: port == 0 ? 0 : port + 1000)
        var insecure: [String] = []
        if let adminNode = top["admin"] {
            let a = try mapping(adminNode, "admin", allowed: ["listen", "tls", "insecure"])
            if a["listen"] != nil { (admin.host, admin.port) = try address(a, "listen", "admin.listen", in: adminNode) }
            guard (admin.host, admin.port) != (listenHost, port) || port == 0 else {
                throw fail(a["listen"], "admin.listen", "is the exchange's address: the operators' and staff's listener is a listener of its own")
            }
            admin.tls = try a["tls"].map { try listenerTLS($0, "admin.tls", outgoing: false).0 }
            if admin.tls == nil && !Self.isLoopback(admin.host) {
                guard try flag(a, "insecure", "admin.insecure") else {
                    throw fail(a["listen"], "admin.listen", "\(admin.host) is reachable from other machines and operators' tokens would cross the network in clear text: "
                               + "give admin.tls, listen on 127.0.0.1, or set admin.insecure: true to allow it")
                }
                insecure.append("admin.insecure: operators' tokens and trainee payloads cross the network to \(admin.host) in clear text")
            }
        }
        var peers: [Agency: Peer] = [:]
        guard case .mapping(let peerPairs)? = top["peers"] else { throw fail(top["peers"] ?? root, "peers", "missing, or not a mapping of agency → settings") }
        for (k, v) in peerPairs {
            let name = k.scalar?.string ?? ""
            let peer = try agency(name, k, "peers.\(name)")
            guard peer != own else { throw fail(k, "peers.\(name)", "a gateway is not its own peer") }
            let base = "peers.\(name)"
            let m = try mapping(v, base, allowed: ["url", "receiveKeyFile", "receiveKeyEnv", "receiveNextKeyFile", "receiveNextKeyEnv", "sendKeyFile", "sendKeyEnv",
                                                   "sendNextKeyFile", "sendNextKeyEnv", "sendNextFrom", "receive", "send", "encoding", "limits", "certificate",
                                                   "insecure", "signedAnswers", "from"])
            guard let receiveKey = try key(m, "receiveKey", base) else { throw fail(v, "\(base).receiveKeyFile", "missing (or receiveKeyEnv)") }
            let sends = try types(m, "send", "\(base).send")
            let sendKey = try key(m, "sendKey", base)
            if !sends.isEmpty && (sendKey == nil || m["url"] == nil) { throw fail(v, base, "sending to \(name) needs url and sendKeyFile (or sendKeyEnv)") }
            let url = try m["url"].map { try httpURL($0, "\(base).url", "an http(s) URL such as https://gateway.forem.example:8402") }
            var entry = Peer(agency: peer, url: url, receiveKey: receiveKey, sendKey: sendKey,
                             receives: try types(m, "receive", "\(base).receive"), sends: sends)
            entry.receiveNextKey = try key(m, "receiveNextKey", base)
            entry.sendNextKey = try key(m, "sendNextKey", base)
            if entry.sendNextKey != nil && sendKey == nil { throw fail(v, "\(base).sendNextKeyFile", "is the next of sendKeyFile, which is missing") }
            if let f = m["sendNextFrom"] {
                guard entry.sendNextKey != nil else { throw fail(f, "\(base).sendNextFrom", "names when sendNextKeyFile takes over, which is missing") }
                guard let at = f.scalar.flatMap({ Instant.parse($0.string) }) else {
                    throw fail(f, "\(base).sendNextFrom", "expected an RFC 3339 instant such as 2026-12-05T06:00:00Z")
                }
                entry.sendNextFrom = at
            }
            if let c = m["certificate"] {
                let ck = "\(base).certificate"
                let pin = try mapping(c, ck, allowed: ["sha256", "commonName"])
                switch (pin["sha256"], pin["commonName"]) {
                case (let d?, nil):
                    // As openssl prints it (AB:CD:…) or as sha256sum does.
                    let digest = (d.scalar?.string ?? "").replacingOccurrences(of: ":", with: "").lowercased()
                    guard digest.count == 64, digest.allSatisfy({ $0.isHexDigit }) else { throw fail(d, "\(ck).sha256", "expected the certificate's SHA-256 as 64 hex digits") }
                    entry.certificate = .sha256(digest)
                case (nil, let n?):
                    guard let cn = n.scalar?.string, !cn.isEmpty else { throw fail(n, "\(ck).commonName", "expected the certificate's subject common name") }
                    entry.certificate = .commonName(cn)
                default: throw fail(c, ck, "give sha256 (the certificate's SHA-256) or commonName (its subject's CN), one of them")
                }
                guard exchangeTLS?.clientCAFile != nil else {
                    throw fail(c, ck, "a client certificate is only presented over mutual TLS: give tls.clientCAFile (and tls.requireClientCertificate: true)")
                }
            } else if exchangeTLS?.requireClientCertificate == true {
                throw fail(v, "\(base).certificate", "missing: with tls.requireClientCertificate every peer names the certificate it must present "
                           + "(certificate: { sha256: … } or { commonName: … }), so that one agency's certificate cannot sign in as another")
            }
            if let f = m["from"] {
                guard case .sequence(let items) = f, !items.isEmpty else {
                    throw fail(f, "\(base).from", "expected a list of networks the peer connects from, such as [192.0.2.0/24, 2001:db8::/48]")
                }
                for item in items {
                    do throws(SourceNetwork.Invalid) {
                        entry.networks.append(try SourceNetwork(item.scalar?.string ?? ""))
                    } catch {
                        throw fail(item, "\(base).from", error.description)
                    }
                }
            }
            entry.insecure = try flag(m, "insecure", "\(base).insecure")
            if let n = m["signedAnswers"] {
                switch n.scalar?.string {
                case "required": entry.signedAnswers = true
                case "optional": entry.signedAnswers = false
                default: throw fail(n, "\(base).signedAnswers", "expected required (the peer's receipts and manifests are taken only signed) or optional")
                }
            }
            if let e = m["encoding"] {
                guard let form = e.scalar.flatMap({ BatchForm(rawValue: $0.string) }) else { throw fail(e, "\(base).encoding", "expected json or xml") }
                entry.encoding = form
            }
            if let limitsNode = m["limits"] {
                let lk = "\(base).limits"
                let limits = try mapping(limitsNode, lk, allowed: ["attempts", "maxAge", "firstDelay", "maxDelay", "timeout", "batchRecords"])
                if let n = try positive(limits, "batchRecords", "\(lk).batchRecords") {
                    guard n <= 5_000 else { throw fail(limits["batchRecords"], "\(lk).batchRecords", "a batch holds at most 5000 records (the protocol's limit)") }
                    entry.batchRecords = n
                }
                if let n = try positive(limits, "attempts", "\(lk).attempts") { entry.retry.maximumAttempts = n }
                if let t = try duration(limits, "maxAge", "\(lk).maxAge") { entry.retry.maximumAge = t }
                if let t = try duration(limits, "firstDelay", "\(lk).firstDelay") { entry.retry.firstDelay = t }
                if let t = try duration(limits, "maxDelay", "\(lk).maxDelay") { entry.retry.maximumDelay = t }
                if let t = try duration(limits, "timeout", "\(lk).timeout") { entry.timeout = .milliseconds(Int64(t * 1000)) }
                guard entry.retry.firstDelay <= entry.retry.maximumDelay else { throw fail(limitsNode, "\(lk).firstDelay", "is longer than maxDelay") }
            }
            peers[peer] = entry
        }
        // Records cross the network in clear text only where the configuration says so for that
        // peer, and the gateway says so at start: batches to a peer at an http:// URL off loopback
        // (anyone on the path could read them, swallow them and answer a forged receipt); trainee
        // records, personal data, also into a listener without TLS.
        for (agency, peer) in peers.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let base = "peers.\(agency.rawValue)"
            var clear: [String] = []
            if let url = peer.url, !peer.sends.isEmpty, let parsed = URL(string: url), parsed.scheme == "http", !Self.isLoopback(parsed.host ?? "") {
                clear.append("\(base).url is http://")
            }
            guard peer.sends.contains(.trainee) || peer.receives.contains(.trainee) || !clear.isEmpty else { continue }
            if peer.receives.contains(.trainee), exchangeTLS == nil, !Self.isLoopback(listenHost) {
                clear.append("listen \(listenHost) has no tls:")
            }
            guard !clear.isEmpty else { continue }
            let what = peer.sends.contains(.trainee) || peer.receives.contains(.trainee) ? "trainee records" : "batches"
            guard peer.insecure else {
                throw fail(peerPairs.first(where: { $0.0.scalar?.string == agency.rawValue })?.1, base, "\(what) would cross the network with \(agency) in clear text ("
                           + clear.joined(separator: "; ") + "): use https:// and tls:, or set \(base).insecure: true to allow it")
            }
            insecure.append("\(base).insecure: \(what) cross the network with \(agency) in clear text (\(clear.joined(separator: "; ")))")
        }
        var capacity = 16, perPeer: Int?
        var limits = ConnectionLimits()
        var receivingQuota: PeerQuota?, freeDisk = 512
        if let receivingNode = top["receiving"] {
            let receiving = try mapping(receivingNode, "receiving", allowed: ["capacity", "perPeer", "connections", "connectionsPerAddress", "connectionsPerPeer",
                                                                              "reservedConnections", "handshakeTimeout", "headerTimeout", "minimumRate",
                                                                              "grace", "idleTimeout", "quota", "freeDiskMegabytes"])
            if let q = receiving["quota"] {
                let quota = try mapping(q, "receiving.quota", allowed: ["batchesPerMinute", "megabytesPerMinute"])
                let batches = try positive(quota, "batchesPerMinute", "receiving.quota.batchesPerMinute")
                let megabytes = try positive(quota, "megabytesPerMinute", "receiving.quota.megabytesPerMinute")
                guard batches != nil || megabytes != nil else { throw fail(q, "receiving.quota", "give batchesPerMinute, megabytesPerMinute or both") }
                receivingQuota = PeerQuota(batchesPerMinute: batches ?? Int(Int32.max), bytesPerMinute: megabytes.map { $0 << 20 } ?? Int(Int32.max) << 20)
            }
            if let f = receiving["freeDiskMegabytes"] {
                guard let n = f.scalar.flatMap({ Int($0.string) }), n >= 0 else { throw fail(f, "receiving.freeDiskMegabytes", "expected a whole number of MiB, 0 (no floor) or more") }
                freeDisk = n
            }
            if let n = try positive(receiving, "capacity", "receiving.capacity") { capacity = n }
            if let n = try positive(receiving, "perPeer", "receiving.perPeer") {
                guard n <= capacity else { throw fail(receiving["perPeer"]!, "receiving.perPeer", "is more than receiving.capacity (\(capacity))") }
                perPeer = n
            }
            if let n = try positive(receiving, "connections", "receiving.connections") { limits.maximumConnections = n }
            if let n = try positive(receiving, "connectionsPerAddress", "receiving.connectionsPerAddress") { limits.connectionsPerAddress = n }
            if let n = try positive(receiving, "connectionsPerPeer", "receiving.connectionsPerPeer") { limits.connectionsPerPeer = n }
            if let r = receiving["reservedConnections"] {
                guard let n = r.scalar.flatMap({ Int($0.string) }), n >= 0 else { throw fail(r, "receiving.reservedConnections", "expected a whole number, 0 or more") }
                limits.reservedConnections = n
            } else {
                limits.reservedConnections = min(limits.reservedConnections, limits.maximumConnections / 4)
            }
            guard limits.reservedConnections < limits.maximumConnections else {
                throw fail(receiving["reservedConnections"], "receiving.reservedConnections",
                           "is \(limits.reservedConnections), not less than receiving.connections (\(limits.maximumConnections)): strangers would never get in")
            }
            if let n = try positive(receiving, "minimumRate", "receiving.minimumRate") { limits.minimumRate = n }
            func amount(_ t: TimeInterval) -> TimeAmount { .milliseconds(Int64(t * 1000)) }
            if let t = try duration(receiving, "headerTimeout", "receiving.headerTimeout") { limits.headerTimeout = amount(t) }
            if let t = try duration(receiving, "handshakeTimeout", "receiving.handshakeTimeout") { limits.handshakeTimeout = amount(t) }
            if let t = try duration(receiving, "grace", "receiving.grace") { limits.grace = amount(t) }
            if let t = try duration(receiving, "idleTimeout", "receiving.idleTimeout") { limits.idleTimeout = amount(t) }
        }
        let deliveryNode = top["delivery"]
        let delivery = try mapping(deliveryNode, "delivery", allowed: ["folder", "url", "vacancy", "trainee", "tokenFile", "certificate", "insecure"])
        let backOffice: BackOffice
        switch (delivery["folder"], delivery["url"]) {
        case (let f?, nil):
            backOffice = .dropFolder(try folderPath(f, "delivery.folder"))
        case (nil, let u?):
            backOffice = .endpoint(try httpURL(u, "delivery.url", "an http(s) URL"))
        case (_?, _?): throw fail(deliveryNode, "delivery", "give folder or url, not both")
        case (nil, nil): throw fail(deliveryNode, "delivery.folder", "missing: the back office takes files from a folder or batches at a url")
        }
        var formats: [RecordType: String] = [:]
        for type in RecordType.allCases {
            if let v = delivery[type.rawValue] {
                guard let name = v.scalar?.string, !name.isEmpty else { throw fail(v, "delivery.\(type.rawValue)", "expected a format name") }
                formats[type] = name
            }
        }
        /// An endpoint of the agency's own (`delivery`, `pickup`): its credentials, and whether trainee
        /// records may go to it in clear text.
        func endpoint(_ m: [String: Node], _ key: String, url: String?, carriesTrainees: Bool) throws -> EndpointCredentials {
            var credentials = EndpointCredentials(tokenFile: try m["tokenFile"].map { try ownerOnlyFile($0, "\(key).tokenFile") },
                                                  tls: OutgoingTLS(caFile: outgoing.caFile))
            if let t = credentials.tokenFile, (try? LocalFiles.secret(t))?.isEmpty != false { throw fail(m["tokenFile"], "\(key).tokenFile", "\(t) holds no token") }
            if let c = m["certificate"] {
                credentials.tls.identity = try identity(try mapping(c, "\(key).certificate", allowed: ["certificateFile", "keyFile"]), "\(key).certificate", in: c)
            }
            if url == nil, let other = ["tokenFile", "certificate"].first(where: { m[$0] != nil }) {
                throw fail(m[other], "\(key).\(other)", "is a credential for \(key).url; a folder takes none")
            }
            if carriesTrainees, let url, let parsed = URL(string: url), parsed.scheme == "http", !Self.isLoopback(parsed.host ?? "") {
                guard try flag(m, "insecure", "\(key).insecure") else {
                    throw fail(m["url"], "\(key).url", "trainee records would cross the network to \(parsed.host ?? url) in clear text: use https://, "
                               + "or set \(key).insecure: true to allow it")
                }
                insecure.append("\(key).insecure: trainee records cross the network to \(parsed.host ?? url) in clear text")
            }
            return credentials
        }
        let deliveryCredentials = try endpoint(delivery, "delivery", url: { if case .endpoint(let u) = backOffice { u } else { nil } }(),
                                               carriesTrainees: formats[.trainee] != nil)
        for (agency, peer) in peers {
            for type in peer.receives where formats[type] == nil {
                throw fail(deliveryNode, "delivery.\(type.rawValue)", "missing: \(agency) sends \(type.rawValue) records, in which format does the back office take them?")
            }
        }
        // store: a path, { path: …, synchronous: full|normal }, postgres://…, or { url: postgres://…, passwordFile: …, … }.
        var store: StoreLocation
        var replica = "\(Lease.hostName):\(port)", lease: TimeInterval = 60
        func postgres(_ url: String, _ node: Node, _ key: String, password: String?) throws -> PostgresSettings {
            do { return try PostgresSettings(url: url, password: password) } catch { throw fail(node, key, "\(error)") }
        }
        switch top["store"] {
        case .mapping?:
            let s = try mapping(top["store"], "store", allowed: ["path", "synchronous", "url", "passwordFile", "tls", "tlsCAFile", "connections", "lease", "replica"])
            if let urlNode = s["url"] {
                if let other = ["path", "synchronous"].first(where: { s[$0] != nil }) {
                    throw fail(s[other], "store.\(other)", "is a setting of a SQLite store; this store is PostgreSQL (store.url)")
                }
                let password = try s["passwordFile"].map { try LocalFiles.secret(try ownerOnlyFile($0, "store.passwordFile")) }
                var settings = try postgres(try string(s, "url", "store.url", in: top["store"]!), urlNode, "store.url", password: password)
                if let v = s["tls"] {
                    guard let mode = v.scalar.flatMap({ PostgresSettings.TLSMode(rawValue: $0.string) }) else {
                        throw fail(v, "store.tls", "expected \(PostgresSettings.TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    settings.tls = mode
                }
                if let v = s["tlsCAFile"] {
                    guard settings.tls != .disable else { throw fail(v, "store.tlsCAFile", "is the CA of the server's certificate, and store.tls is disable") }
                    settings.caFile = try certificates(v, "store.tlsCAFile")
                }
                if let n = try positive(s, "connections", "store.connections") {
                    guard n >= 2 else { throw fail(s["connections"], "store.connections", "at least 2: scheduled jobs hold one while they run") }
                    settings.connections = n
                }
                if let t = try duration(s, "lease", "store.lease") { lease = t }
                if let v = s["replica"] {
                    guard let name = v.scalar?.string, !name.isEmpty, !name.contains("#") else { throw fail(v, "store.replica", "expected a name without '#'") }
                    replica = name
                }
                store = .postgres(settings)
            } else {
                if let other = ["passwordFile", "tls", "tlsCAFile", "connections", "lease", "replica"].first(where: { s[$0] != nil }) {
                    throw fail(s[other], "store.\(other)", "is a setting of a PostgreSQL store (store.url); a SQLite store serves one process")
                }
                var synchronous = SQLiteStore.Synchronous.full
                if let v = s["synchronous"] {
                    guard let value = v.scalar.flatMap({ SQLiteStore.Synchronous(rawValue: $0.string) }) else {
                        throw fail(v, "store.synchronous", "expected full (every commit flushed to disk) or normal")
                    }
                    synchronous = value
                }
                store = .sqlite(path: resolve(try string(s, "path", "store.path", in: top["store"]!)), synchronous: synchronous)
            }
        default:
            let text = try string(top, "store", "store", in: root)
            if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
                store = .postgres(try postgres(text, top["store"]!, "store", password: nil))
            } else {
                guard !text.contains("://") else { throw fail(top["store"], "store", "expected a SQLite file or a postgres:// URL, got '\(text)'") }
                store = .sqlite(path: resolve(text), synchronous: .full)
            }
        }
        var configuration = GatewayConfiguration(agency: own, host: listenHost, port: port, admin: admin, store: store, replica: replica,
                                                 mappings: try top["mappings"].map { _ in resolve(try string(top, "mappings", "mappings", in: root)) }, peers: peers,
                                                 backOffice: backOffice, deliveryFormats: formats)
        configuration.lease = lease
        configuration.tls = exchangeTLS
        configuration.outgoing = outgoing
        configuration.deliveryCredentials = deliveryCredentials
        configuration.source = (path, base)
        configuration.receivingCapacity = capacity
        configuration.receivingPerPeer = perPeer
        configuration.connectionLimits = limits
        configuration.receivingQuota = receivingQuota
        configuration.freeDiskMegabytes = freeDisk
        // A replica's claim on a batch must outlast one attempt to send it, or another replica would
        // take the batch over and send it again while the first still waits for the answer.
        if case .postgres = store, let slowest = peers.values.filter({ !$0.sends.isEmpty }).max(by: { $0.timeout < $1.timeout }),
           Double(slowest.timeout.components.seconds) >= lease {
            throw fail(top["store"], "store.lease", "\(Int(lease))s is not longer than peers.\(slowest.agency).limits.timeout "
                       + "(\(slowest.timeout.components.seconds)s): a batch still being sent would be taken over and sent again by another replica")
        }

        if let pickupNode = top["pickup"] {
            let p = try mapping(pickupNode, "pickup", allowed: ["folder", "url", "every", "at", "vacancy", "trainee", "tokenFile", "certificate", "insecure",
                                                                "maxDocumentMegabytes", "maxDocumentRecords"])
            var formats: [RecordType: String] = [:]
            for type in RecordType.allCases {
                if let v = p[type.rawValue] {
                    guard let name = v.scalar?.string, !name.isEmpty else { throw fail(v, "pickup.\(type.rawValue)", "expected a format name") }
                    formats[type] = name
                }
            }
            guard !formats.isEmpty else { throw fail(pickupNode, "pickup", "name the agency's format of vacancy or trainee exports (pickup.vacancy, pickup.trainee)") }
            let schedule: Schedule
            switch (p["every"], p["at"]) {
            case (_?, _?): throw fail(pickupNode, "pickup", "give every or at, not both")
            case (nil, nil): throw fail(pickupNode, "pickup.every", "missing: how often to pick up (every: 5m), or at which times (at: [\"06:00\"])")
            case (_?, nil): schedule = .every(try duration(p, "every", "pickup.every")!)
            case (nil, let at?):
                guard case .sequence(let items) = at, !items.isEmpty else { throw fail(at, "pickup.at", "expected a list of times such as [\"06:00\", \"18:00\"]") }
                schedule = .timesOfDay(try items.map { item in
                    guard let m = item.scalar.flatMap({ Schedule.minutes($0.string) }) else { throw fail(item, "pickup.at", "expected a time of day as HH:MM") }
                    return m
                }.sorted())
            }
            let folder = try p["folder"].map { try folderPath($0, "pickup.folder") }
            let url = try p["url"].map { try httpURL($0, "pickup.url", "an http(s) URL of the agency's export") }
            guard folder != nil || url != nil else { throw fail(pickupNode, "pickup.folder", "missing: an outgoing folder (folder) or an export URL (url)") }
            configuration.pickup = PickupSettings(folder: folder, exportURL: url, formats: formats, schedule: schedule)
            if let n = try positive(p, "maxDocumentMegabytes", "pickup.maxDocumentMegabytes") { configuration.pickup?.maximumDocumentBytes = Int64(n) << 20 }
            if let n = try positive(p, "maxDocumentRecords", "pickup.maxDocumentRecords") { configuration.pickup?.maximumDocumentRecords = n }
            configuration.pickupCredentials = try endpoint(p, "pickup", url: url, carriesTrainees: formats[.trainee] != nil)
        }

        /// An owner-only key file's material, trimmed, as the key-used-twice check compares it; a key
        /// that seals from now on (not a retired one, which only opens) must be strong.
        func material(_ v: Node, _ key: String, sealing: Bool = true) throws -> [UInt8] {
            let file = try ownerOnlyFile(v, key)
            let material = Array(String(decoding: try LocalFiles.bytes(file), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).utf8)
            if sealing, let weakness = KeyStrength.weakness(of: material) { throw fail(v, key, "\(file) \(weakness); \(KeyStrength.howToMake)") }
            return material
        }
        var payloadMaterials: [(String, [UInt8])] = []
        if let v = top["payloadKeyFile"] {
            let pseudonyms = try top["pseudonymKeyFile"].map { try material($0, "pseudonymKeyFile") }
            let own = try material(v, "payloadKeyFile")
            payloadMaterials.append(("payloadKeyFile", own))
            if let pseudonyms { payloadMaterials.append(("pseudonymKeyFile", pseudonyms)) }
            do { configuration.payloadKey = try PayloadKey(material: own, pseudonymMaterial: pseudonyms) } catch { throw fail(v, "payloadKeyFile", "\(error)") }
            if let r = top["payloadRetiredKeyFiles"] {
                guard case .sequence(let files) = r else { throw fail(r, "payloadRetiredKeyFiles", "expected a list of key files ([old-payload.key])") }
                var retired: [PayloadKey] = []
                for (i, f) in files.enumerated() {
                    let name = "payloadRetiredKeyFiles[\(i)]"
                    let m = try material(f, name, sealing: false)
                    payloadMaterials.append((name, m))
                    do { retired.append(try PayloadKey(material: m)) } catch { throw fail(f, name, "\(error)") }
                }
                configuration.payloadKey = configuration.payloadKey?.retiring(retired)
            }
        } else if let v = top["payloadRetiredKeyFiles"] ?? top["pseudonymKeyFile"] {
            throw fail(v, top["payloadRetiredKeyFiles"] != nil ? "payloadRetiredKeyFiles" : "pseudonymKeyFile", "needs payloadKeyFile, the key that seals")
        }
        // Trainee records are personal data: a gateway that keeps them keeps them sealed.
        if configuration.payloadKey == nil, let peer = peers.values.sorted(by: { $0.agency.rawValue < $1.agency.rawValue })
            .first(where: { $0.sends.contains(.trainee) || $0.receives.contains(.trainee) }) {
            throw fail(root, "payloadKeyFile", "missing: trainee records are exchanged with \(peer.agency) and are personal data, kept sealed at rest; "
                       + "name an owner-only file of at least 32 bytes (deploy/local/make-keys.sh makes one)")
        }
        // A key serves one direction of one pair, or the payloads: used twice, one leak opens both,
        // and a key for both directions lets a recorded request be sent back as the other side's.
        var owners: [[UInt8]: String] = [:]
        var keyed: [(String, [UInt8])] = []
        for (agency, peer) in peers.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let base = "peers.\(agency.rawValue)"
            keyed.append(("\(base).receiveKey", peer.receiveKey))
            if let k = peer.receiveNextKey { keyed.append(("\(base).receiveNextKey", k)) }
            if let k = peer.sendKey { keyed.append(("\(base).sendKey", k)) }
            if let k = peer.sendNextKey { keyed.append(("\(base).sendNextKey", k)) }
        }
        keyed += payloadMaterials
        for (name, key) in keyed {
            if let first = owners[key] {
                throw fail(root, name, "holds the same key as \(first): every direction of every pair, and the payloads, have a key of their own "
                           + "(deploy/local/make-keys.sh makes them)")
            }
            owners[key] = name
        }
        configuration.insecure = insecure
        if let retentionNode = top["retention"] {
            let r = try mapping(retentionNode, "retention", allowed: ["payloadDays", "batchDays", "auditDays"])
            if let days = try positive(r, "payloadDays", "retention.payloadDays") { configuration.payloadDays = days }
            if let days = try positive(r, "batchDays", "retention.batchDays") { configuration.batchDays = days }
            if let days = try positive(r, "auditDays", "retention.auditDays") { configuration.auditDays = days }
            guard r["payloadDays"] != nil || r["batchDays"] != nil || r["auditDays"] != nil else {
                throw fail(retentionNode, "retention", "give payloadDays, batchDays, auditDays or some of them")
            }
            guard configuration.batchDays >= configuration.payloadDays else {
                throw fail(retentionNode, "retention.batchDays", "is \(configuration.batchDays) days, shorter than payloadDays (\(configuration.payloadDays)): a batch's row outlives its body")
            }
        }
        if let statisticsNode = top["statistics"] {
            let st = try mapping(statisticsNode, "statistics", allowed: ["minimumCell"])
            guard let cell = try positive(st, "minimumCell", "statistics.minimumCell") else { throw fail(statisticsNode, "statistics.minimumCell", "missing") }
            configuration.minimumCell = cell
        }
        if let filesNode = top["files"] {
            let f = try mapping(filesNode, "files", allowed: ["group"])
            let group = try string(f, "group", "files.group", in: filesNode)
            do { configuration.fileModes = try FileModes(groupName: group) } catch let fault as FileFault { throw fail(f["group"], "files.group", fault.description) }
        }
        if let operatorsNode = top["operators"] {
            let o = try mapping(operatorsNode, "operators", allowed: ["tokensFile"])
            guard let tokensNode = o["tokensFile"] else { throw fail(operatorsNode, "operators.tokensFile", "missing") }
            let file = try ownerOnlyFile(tokensNode, "operators.tokensFile")
            do { configuration.operators = try OperatorTokens.load(file) } catch let fault as SourceFault { throw fault } catch {
                throw fail(o["tokensFile"], "operators.tokensFile", "\(error)")
            }
        }
        if let reconcileNode = top["reconcile"] {
            let r = try mapping(reconcileNode, "reconcile", allowed: ["every", "window"])
            guard let every = try duration(r, "every", "reconcile.every") else { throw fail(reconcileNode, "reconcile.every", "missing: how often to reconcile (every: 1h)") }
            configuration.reconcile = (every, try duration(r, "window", "reconcile.window") ?? 86_400)
        }

        if let routesNode = top["routes"] {
            guard case .sequence(let items) = routesNode else { throw fail(routesNode, "routes", "expected a list of rules") }
            var rules: [RoutingRule] = []
            for (i, item) in items.enumerated() {
                let key = "routes[\(i)]"
                let r = try mapping(item, key, allowed: ["type", "to", "when"])
                guard let type = r["type"]?.scalar.flatMap({ RecordType(rawValue: $0.string) }) else { throw fail(r["type"] ?? item, "\(key).type", "expected vacancy or trainee") }
                let destination: RoutingRule.Destination
                switch r["to"] {
                case .scalar(let s)? where s.string == "referring":
                    guard type == .trainee else { throw fail(r["to"], "\(key).to", "referring is a trainee record's referring agency; vacancies name their peers") }
                    destination = .referring
                case .sequence(let names)?:
                    var set = Set<Agency>()
                    for n in names {
                        let peer = try agency(n.scalar?.string ?? "", n, "\(key).to")
                        guard let settings = peers[peer], settings.sends.contains(type) else {
                            throw fail(n, "\(key).to", "\(own) → \(peer) is not agreed for \(type.rawValue) records (peers.\(peer).send)")
                        }
                        set.insert(peer)
                    }
                    destination = .peers(set)
                default: throw fail(r["to"] ?? item, "\(key).to", "expected a list of agencies, or referring")
                }
                var rule = RoutingRule(recordType: type, destination: destination)
                if let whenNode = r["when"] {
                    let wk = "\(key).when"
                    let w = try mapping(whenNode, wk, allowed: ["bottleneck", "openDays", "region", "occupation", "status"])
                    if let b = w["bottleneck"] {
                        guard let value = b.scalar.flatMap({ ["true": true, "false": false][$0.string] }) else { throw fail(b, "\(wk).bottleneck", "expected true or false") }
                        rule.bottleneck = value
                    }
                    if let n = w["openDays"] {
                        guard let days = n.scalar.flatMap({ Int($0.string) }), days >= 0 else { throw fail(n, "\(wk).openDays", "expected a number of days") }
                        rule.minimumOpenDays = days
                    }
                    func list(_ name: String) throws -> [(String, Node)]? {
                        guard let v = w[name] else { return nil }
                        guard case .sequence(let values) = v, !values.isEmpty else { throw fail(v, "\(wk).\(name)", "expected a list") }
                        return values.map { ($0.scalar?.string ?? "", $0) }
                    }
                    if let regions = try list("region") {
                        rule.regions = Set(try regions.map { text, node in
                            guard let region = Region(rawValue: text) else {
                                throw fail(node, "\(wk).region", "'\(text)' is not one of \(Region.allCases.map(\.rawValue).joined(separator: ", "))")
                            }
                            return region
                        })
                    }
                    if let codes = try list("occupation") {
                        rule.occupations = try codes.map { text, node in
                            let b = Array(text.utf8)
                            guard (1...5).contains(b.count), (65...78).contains(b[0]), b.dropFirst().allSatisfy({ (48...57).contains($0) }) else {
                                throw fail(node, "\(wk).occupation", "'\(text)' is not a ROME grand domaine (M), domaine (M18) or fiche (M1805)")
                            }
                            return text
                        }
                    }
                    if let statuses = try list("status") {
                        let known = Set(VacancyStatus.allCases.map(\.rawValue) + TraineeStatus.allCases.map(\.rawValue))
                        rule.statuses = Set(try statuses.map { text, node in
                            guard known.contains(text) else { throw fail(node, "\(wk).status", "'\(text)' is not a record status") }
                            return text
                        })
                    }
                    if type == .trainee, rule.bottleneck != nil || rule.minimumOpenDays != nil || rule.regions != nil {
                        throw fail(whenNode, wk, "bottleneck, openDays and region are conditions on vacancies")
                    }
                }
                rules.append(rule)
            }
            configuration.routing = Routing(rules: rules)
        }
        return configuration
    }

    /// The gateway's ledger, with the payload key if one is configured, migrated, and with this
    /// process's lease on shared work.
    public func openStore(logger: Logger = Logger(label: "gateway.ledger")) async throws -> any LedgerStore {
        try await store.open(payloadKey: payloadKey, lease: Lease(replica: replica, duration: lease), logger: logger)
    }

    /// The SQLite file, when the ledger is one.
    public var sqlitePath: String? {
        if case .sqlite(let path, _) = store { return path }
        return nil
    }

    /// Whether `host` is this machine (what crosses no network: 127.0.0.0/8, ::1, localhost).
    static func isLoopback(_ host: String) -> Bool {
        let h = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return h == "localhost" || h == "::1" || h.hasPrefix("127.")
    }

    /// `30s`, `10m`, `24h`, `2d`, or a number of seconds.
    static func seconds(_ text: String) -> TimeInterval? {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let unit = text.last, let factor = units[unit], let n = Double(text.dropLast()) { return n * factor }
        return Double(text)
    }

    /// The receiving side's view of the peers.
    public var receivingPeers: [Agency: ReceivingGateway.Peer] {
        peers.mapValues {
            ReceivingGateway.Peer(signature: RequestSignature(key: $0.receiveKey), next: $0.receiveNextKey.map { RequestSignature(key: $0) }, receives: $0.receives,
                                  certificate: $0.certificate, networks: $0.networks)
        }
    }

    /// The configuration's agency and every peer must be bodies of the agency directory (the
    /// mappings' `agencies.yaml`), checked at start once the mappings are read.
    public func check(agencies: AgencyDirectory) throws {
        let file = source.map { "\($0.file): " } ?? ""
        for (key, code) in [("agency", agency)] + peers.keys.sorted().map({ ("peers.\($0)", $0) }) where !agencies.contains(code) {
            throw GatewayError("\(file)\(key): \(code) is not an agency of the agency directory (mappings/agencies.yaml: \(agencies.listed))")
        }
    }

    /// The sending side's view of the peers it sends to (a URL and a key), with the TLS of the
    /// calls out read now.
    public func sendingPeers() throws -> [Agency: Dispatcher.Peer] {
        let tls = try outgoing.configuration()
        var result: [Agency: Dispatcher.Peer] = [:]
        for (agency, peer) in peers {
            guard let url = peer.url, let key = peer.sendKey else { continue }
            let keys = SigningKeys(current: RequestSignature(key: key), next: peer.sendNextKey.map { RequestSignature(key: $0) }, nextFrom: peer.sendNextFrom)
            result[agency] = .init(url: url, keys: keys, policy: peer.retry, timeout: peer.timeout, tls: url.hasPrefix("https:") ? tls : nil,
                                   signedAnswers: peer.signedAnswers)
        }
        return result
    }
}
