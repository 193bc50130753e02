import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Model

/// What a running gateway reads again without stopping (`SIGHUP`, `POST /admin/v1/reload`): the
/// keys of every pair, the certificates it serves and shows, the operators' tokens and the
/// credentials for the agency's own systems. A batch in flight finishes with what it started with;
/// the next one takes the new. Anything else the file says (addresses, store, peers' record types,
/// routes, the client CAs) takes effect at the next start, and a reload says so.
public struct LiveCredentials: Sendable {
    public let receiving: Reloadable<[Agency: ReceivingGateway.Peer]>
    public let sending: Reloadable<[Agency: Dispatcher.Peer]>
    public let tokens: Reloadable<OperatorTokens>
    /// The certificates the two listeners serve (nil: that listener has no TLS).
    public let exchangeCertificate: Reloadable<LoadedCertificate>?
    public let adminCertificate: Reloadable<LoadedCertificate>?
    public let delivery: Reloadable<EndpointAccess>
    public let pickup: Reloadable<EndpointAccess>

    /// Everything `configuration` names, read now; a fault names the file.
    public init(_ configuration: GatewayConfiguration) throws {
        let read = try Read(configuration)
        receiving = Reloadable(read.receiving)
        sending = Reloadable(read.sending)
        tokens = Reloadable(configuration.operators)
        exchangeCertificate = read.exchangeCertificate.map { Reloadable($0) }
        adminCertificate = read.adminCertificate.map { Reloadable($0) }
        delivery = Reloadable(read.delivery)
        pickup = Reloadable(read.pickup)
    }

    /// Reads what `configuration` names and puts it all in force at once; if any of it cannot be
    /// read, nothing changes and the error says why. `running` is the configuration the gateway
    /// started with: what differs from it otherwise is listed as waiting for a restart.
    public func apply(_ configuration: GatewayConfiguration, running: GatewayConfiguration, now: Date) throws -> ReloadReport {
        guard configuration.agency == running.agency else {
            throw GatewayError("the file is now \(configuration.agency)'s gateway, this one is \(running.agency)'s: restart it instead")
        }
        let read = try Read(configuration)
        var restart: [String] = []
        if (read.exchangeCertificate == nil) != (exchangeCertificate == nil) || configuration.tls?.clientCAFile != running.tls?.clientCAFile
            || configuration.tls?.requireClientCertificate != running.tls?.requireClientCertificate {
            restart.append("tls")
        }
        if (read.adminCertificate == nil) != (adminCertificate == nil) || configuration.admin.tls?.clientCAFile != running.admin.tls?.clientCAFile {
            restart.append("admin.tls")
        }
        if (configuration.host, configuration.port) != (running.host, running.port) { restart.append("listen") }
        if (configuration.admin.host, configuration.admin.port) != (running.admin.host, running.admin.port) { restart.append("admin.listen") }
        if Set(configuration.peers.keys) != Set(running.peers.keys)
            || configuration.peers.contains(where: { agency, peer in
                guard let old = running.peers[agency] else { return true }
                return old.sends != peer.sends || old.receives != peer.receives
            }) {
            restart.append("peers (record types agreed)")
        }
        if configuration.store.description != running.store.description { restart.append("store") }
        if configuration.payloadKey?.id != running.payloadKey?.id || configuration.payloadKey?.retired.map(\.id) != running.payloadKey?.retired.map(\.id) {
            restart.append("payloadKeyFile")
        }
        if configuration.payloadKey?.pseudonymId != running.payloadKey?.pseudonymId { restart.append("pseudonymKeyFile") }
        // The peers as they started, with the keys, certificates and URLs read now.
        receiving.replace(read.receiving.filter { running.peers[$0.key] != nil })
        sending.replace(read.sending.filter { running.peers[$0.key] != nil })
        tokens.replace(configuration.operators)
        if let certificate = read.exchangeCertificate { exchangeCertificate?.replace(certificate) }
        if let certificate = read.adminCertificate { adminCertificate?.replace(certificate) }
        delivery.replace(read.delivery)
        pickup.replace(read.pickup)
        return ReloadReport(keys: KeyStatus.all(configuration, at: now), operators: configuration.operators.count, needsRestart: restart)
    }

    /// Every file read, before anything is put in force.
    private struct Read {
        var receiving: [Agency: ReceivingGateway.Peer]
        var sending: [Agency: Dispatcher.Peer]
        var exchangeCertificate: LoadedCertificate?
        var adminCertificate: LoadedCertificate?
        var delivery: EndpointAccess
        var pickup: EndpointAccess

        init(_ configuration: GatewayConfiguration) throws {
            receiving = configuration.receivingPeers
            sending = try configuration.sendingPeers()
            exchangeCertificate = try configuration.tls?.identity.load()
            adminCertificate = try configuration.admin.tls?.identity.load()
            delivery = try configuration.deliveryCredentials.load()
            pickup = try configuration.pickupCredentials.load()
        }
    }
}

/// What a reload put in force.
public struct ReloadReport: Codable, Sendable, Equatable {
    /// Each direction of each pair: the key in force, and when the next takes over.
    public var keys: [KeyStatus]
    /// How many operators' tokens are in force.
    public var operators: Int
    /// Settings that changed in the file and take effect at the next start.
    public var needsRestart: [String]
}

/// One direction of a pair's keys, as `gateway keys check` and a reload report it.
public struct KeyStatus: Codable, Sendable, Equatable {
    /// `FOREM → VDAB`.
    public var direction: String
    /// The setting of the key in force (`peers.FOREM.receiveKeyFile`).
    public var setting: String
    /// Receiving: `current`, or `current and next` while both are accepted. Sending: `current` or
    /// `next`, the one that signs now.
    public var inForce: KeyInForce
    /// Sending: when the next key takes over (RFC 3339), if one is configured and it has not yet.
    public var nextFrom: String?
    /// A next key is configured that signs nothing yet and has no instant to start.
    public var nextHeldReady: Bool

    public init(direction: String, setting: String, inForce: KeyInForce, nextFrom: String? = nil, nextHeldReady: Bool = false) {
        self.direction = direction
        self.setting = setting
        self.inForce = inForce
        self.nextFrom = nextFrom
        self.nextHeldReady = nextHeldReady
    }

    /// Every direction of every pair of `configuration`, sorted, at `now`.
    public static func all(_ configuration: GatewayConfiguration, at now: Date) -> [KeyStatus] {
        var result: [KeyStatus] = []
        let own = configuration.agency.rawValue
        for (agency, peer) in configuration.peers.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let base = "peers.\(agency.rawValue)"
            result.append(KeyStatus(direction: "\(agency.rawValue) → \(own)", setting: "\(base).receiveKey",
                                    inForce: peer.receiveNextKey == nil ? .current : .currentAndNext, nextFrom: nil, nextHeldReady: false))
            guard let key = peer.sendKey else { continue }
            let keys = SigningKeys(current: RequestSignature(key: key), next: peer.sendNextKey.map { RequestSignature(key: $0) }, nextFrom: peer.sendNextFrom)
            let inForce = keys.inForce(at: now)
            result.append(KeyStatus(direction: "\(own) → \(agency.rawValue)", setting: "\(base).\(inForce == .next ? "sendNextKey" : "sendKey")", inForce: inForce,
                                    nextFrom: inForce == .current ? peer.sendNextFrom.map { Instant.text($0) } : nil,
                                    nextHeldReady: peer.sendNextKey != nil && peer.sendNextFrom == nil))
        }
        return result
    }
}
