import ExchangeProtocol

/// The client certificate a peer must present over mutual TLS (`peers.X.certificate`), so that a
/// certificate issued to one agency can never sign in as another, whatever CA issued both.
public enum CertificatePin: Sendable, Equatable, CustomStringConvertible {
    /// The SHA-256 of the certificate's DER encoding, lower-case hex (`openssl x509 -outform der | sha256sum`).
    case sha256(String)
    /// The certificate's subject common name, from a CA of `tls.clientCAFile` (a renewed
    /// certificate keeps it).
    case commonName(String)

    /// Whether the certificate presented on the connection is this one.
    public func admits(_ presented: ClientCertificate?) -> Bool {
        guard let presented else { return false }
        switch self {
        case .sha256(let digest): return presented.sha256 == digest
        case .commonName(let name): return presented.commonName == name
        }
    }

    public var description: String {
        switch self {
        case .sha256(let digest): "the certificate with SHA-256 \(digest.prefix(16))…"
        case .commonName(let name): "a certificate for CN=\(name)"
        }
    }
}

/// What the TLS layer learnt of the certificate a client presented, as the listener hands it to
/// the routes: in two request headers that the listener sets itself, after removing any a client
/// sent (`Gateway/ClientCertificateHandler.swift`).
public struct ClientCertificate: Sendable, Equatable {
    public static let sha256Header = "X-Gateway-Client-Certificate-SHA256"
    public static let commonNameHeader = "X-Gateway-Client-Certificate-CN"

    public var sha256: String
    public var commonName: String?

    public init(sha256: String, commonName: String?) {
        self.sha256 = sha256
        self.commonName = commonName
    }
}
