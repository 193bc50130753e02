import AsyncHTTPClient
import NIOSSL

/// How the gateway proves itself to one of its agency's own systems — the back office it delivers
/// to (`delivery.url`), the export it picks up from (`pickup.url`): a bearer token from an
/// owner-only file (`tokenFile`), a client certificate (`certificate: { certificateFile, keyFile }`),
/// or both; and the CAs it trusts for them (`tls.caFile`).
public struct EndpointCredentials: Sendable, Equatable {
    public var tokenFile: String?
    public var tls = OutgoingTLS()

    public init(tokenFile: String? = nil, tls: OutgoingTLS = OutgoingTLS()) {
        self.tokenFile = tokenFile
        self.tls = tls
    }

    /// The files read now (at start, and again at a reload).
    public func load() throws -> EndpointAccess {
        EndpointAccess(token: try tokenFile.map { try LocalFiles.secret($0) }, tls: try tls.configuration())
    }
}

/// `EndpointCredentials` read: what each call to the endpoint carries.
public struct EndpointAccess: Sendable {
    public var token: String?
    public var tls: TLSConfiguration?

    public init(token: String? = nil, tls: TLSConfiguration? = nil) {
        self.token = token
        self.tls = tls
    }

    /// Nothing: the calls carry no credentials and use the client's trust.
    public static let none = EndpointAccess()

    /// The request with the token and the TLS settings.
    public func apply(to request: inout HTTPClientRequest) {
        if let token { request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(token)") }
        request.tlsConfiguration = tls
    }
}
