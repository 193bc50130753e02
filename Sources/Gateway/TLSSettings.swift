import Crypto
import ExchangeHTTP
import ExchangeProtocol
import NIOSSL
import X509

/// A certificate chain and its private key, from PEM files: the gateway's own (`tls.certificateFile`,
/// `tls.keyFile`), or one shown to the agency's own systems (`delivery.certificate`). The key file
/// must be readable by its owner only, as every secret.
public struct CertificateFiles: Sendable, Equatable {
    public var certificateFile: String
    public var keyFile: String

    public init(certificateFile: String, keyFile: String) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }

    /// Both files read and parsed; a fault names the file and what is wrong with it.
    public func load() throws -> LoadedCertificate {
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMBytes(try LocalFiles.bytes(certificateFile)) } catch let error as GatewayError { throw error } catch {
            throw GatewayError("\(certificateFile): not a PEM certificate (\(error))")
        }
        guard !chain.isEmpty else { throw GatewayError("\(certificateFile): holds no PEM certificate") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(bytes: try LocalFiles.bytes(try LocalFiles.ownerOnly(keyFile)), format: .pem) } catch let error as GatewayError {
            throw error
        } catch {
            throw GatewayError("\(keyFile): not a PEM private key (\(error))")
        }
        return LoadedCertificate(chain: chain, key: key)
    }
}

/// A certificate chain and its key, read (what a listener serves and a client shows).
public struct LoadedCertificate: Sendable {
    public var chain: [NIOSSLCertificate]
    public var key: NIOSSLPrivateKey
}

/// CA certificates from a PEM file (`tls.clientCAFile`, `tls.caFile`, `store.tlsCAFile`).
enum CertificateAuthorities {
    static func load(_ file: String) throws -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do { certificates = try NIOSSLCertificate.fromPEMBytes(try LocalFiles.bytes(file)) } catch let error as GatewayError { throw error } catch {
            throw GatewayError("\(file): not PEM certificates (\(error))")
        }
        guard !certificates.isEmpty else { throw GatewayError("\(file): holds no PEM certificate") }
        return certificates
    }
}

/// The TLS of one listener (`tls:` for the exchange, `admin.tls:` for the operators' and staff's).
/// TLS 1.2 at least; 1.3 is what both sides get when both can (BoringSSL offers the highest).
/// With `clientCAFile`, clients may present a certificate from those CAs (mutual TLS), and with
/// `requireClientCertificate` they must: a client without one, or with one of another CA, fails the
/// handshake and reaches no route.
public struct ListenerTLS: Sendable, Equatable {
    public var identity: CertificateFiles
    public var clientCAFile: String?
    public var requireClientCertificate = false

    public init(identity: CertificateFiles, clientCAFile: String? = nil, requireClientCertificate: Bool = false) {
        self.identity = identity
        self.clientCAFile = clientCAFile
        self.requireClientCertificate = requireClientCertificate
    }

    /// The server's configuration. Its certificate and key are taken from `served` at every
    /// handshake, so a certificate read again (`SIGHUP`) is served from the next connection on,
    /// and the connections open keep theirs. The client CAs are read at start.
    func configuration(served: Reloadable<LoadedCertificate>) throws -> TLSConfiguration {
        let first = served.value
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: first.chain.map { .certificate($0) }, privateKey: .privateKey(first.key))
        configuration.minimumTLSVersion = .tlsv12
        if let clientCAFile {
            configuration.trustRoots = .certificates(try CertificateAuthorities.load(clientCAFile))
            // A client certificate is checked against the CAs; the host name of a client means nothing.
            configuration.certificateVerification = requireClientCertificate ? .noHostnameVerification : .optionalVerification
            configuration.sendCANameList = true
        }
        configuration.sslContextCallback = { _, promise in
            let now = served.value
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = now.chain.map { .certificate($0) }
            override.privateKey = .privateKey(now.key)
            promise.succeed(override)
        }
        return configuration
    }
}

/// What this gateway trusts and shows on its calls out — to peers, to the back office, to an
/// export: the CAs of `tls.caFile` (the system's trust store when none is named), host names
/// checked, TLS 1.2 at least, and a client certificate where one is configured.
public struct OutgoingTLS: Sendable, Equatable {
    public var caFile: String?
    public var identity: CertificateFiles?

    public init(caFile: String? = nil, identity: CertificateFiles? = nil) {
        self.caFile = caFile
        self.identity = identity
    }

    /// Nothing to set: AsyncHTTPClient's defaults (the system's CAs, no client certificate).
    public var isDefault: Bool { caFile == nil && identity == nil }

    /// The configuration of a call, read from the files now; nil for the client's defaults.
    public func configuration() throws -> TLSConfiguration? {
        guard !isDefault else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile { configuration.trustRoots = .certificates(try CertificateAuthorities.load(caFile)) }
        if let identity {
            let loaded = try identity.load()
            configuration.certificateChain = loaded.chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(loaded.key)
        }
        return configuration
    }
}

extension ClientCertificate {
    /// What a peer's pin is compared with: the DER's SHA-256, and the subject's common name.
    init(_ certificate: NIOSSLCertificate) throws {
        let der = try certificate.toDERBytes()
        let parsed = try? Certificate(derEncoded: der)
        let commonName = parsed?.subject.lazy.flatMap { $0 }.first { $0.type == .RDNAttributeType.commonName }.flatMap { String($0.value) }
        self.init(sha256: RequestSignature.hex(SHA256.hash(data: der)), commonName: commonName)
    }
}
