import AsyncHTTPClient
import ExchangeHTTP
import ExchangeProtocol
import Foundation
import Gateway
import NIOCore
import NIOSSL

/// VDAB's gateway as its own `gateway serve` process on a loopback port: receiving vacancies and
/// trainees from Le Forem and trainees from Actiris, with operator tokens of the roles asked for.
/// With `tls`, its exchange listener takes mutual TLS only: certificates from a CA made for the
/// test, Le Forem's pinned by its SHA-256 and Actiris's by its common name; the admin listener
/// stays plain HTTP on loopback.
struct ServedGateway {
    let temp = TemporaryFolder()
    let gateway: GatewayProcess
    /// Each operator's token, by name.
    let tokens: [String: String]
    /// The test CA and the peers' certificates, over TLS.
    let certificates: (ca: TestCertificates, forem: TestCertificates.Issued, actiris: TestCertificates.Issued, vdab: TestCertificates.Issued)?

    /// The key `sender` signs its requests to VDAB with.
    static func key(_ sender: String) -> [UInt8] { TemporaryFolder.keyBytes("\(sender.lowercased())-to-vdab.key") }

    /// - Parameters:
    ///   - foremFrom: Le Forem's networks (`peers.FOREM.from`), if any.
    ///   - receiving: the `receiving:` settings, if any (`{ connectionsPerAddress: 8 }`).
    init(operators: [(name: String, role: OperatorTokens.Role, grants: Set<OperatorTokens.Grant>)], tls: Bool = false, foremFrom: [String] = [],
         receiving: String? = nil) async throws {
        try temp.keys("forem-to-vdab.key", "actiris-to-vdab.key", "vdab-payload.key")
        var tlsLines = "", foremPin = "", actirisPin = ""
        if tls {
            let ca = try TestCertificates(in: temp)
            let issued = (ca: ca, forem: try ca.issue("FOREM"), actiris: try ca.issue("ACTIRIS"), vdab: try ca.issue("VDAB"))
            certificates = issued
            tlsLines = "tls: { certificateFile: \(issued.vdab.certificateFile), keyFile: \(issued.vdab.keyFile), clientCAFile: \(ca.caFile), requireClientCertificate: true }"
            foremPin = ", certificate: { sha256: \(issued.forem.sha256) }"
            actirisPin = ", certificate: { commonName: ACTIRIS }"
        } else {
            certificates = nil
        }
        var lines = ["# name role sha256 grants"], tokens: [String: String] = [:]
        for o in operators {
            let made = OperatorTokens.make(name: o.name, role: o.role, grants: o.grants)
            lines.append(made.line)
            tokens[o.name] = made.token
        }
        self.tokens = tokens
        let file = try temp.write("operators.tokens", lines.joined(separator: "\n") + "\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        let config = try temp.write("vdab.yaml", """
            agency: VDAB
            listen: 127.0.0.1:0
            \(tlsLines)
            store: vdab.sqlite
            mappings: \(Project.mappings.path)
            payloadKeyFile: vdab-payload.key
            operators: { tokensFile: operators.tokens }
            delivery: { folder: incoming, vacancy: vdab, trainee: vdab }
            \(receiving.map { "receiving: \($0)" } ?? "")
            peers:
              FOREM: { receiveKeyFile: forem-to-vdab.key, receive: [vacancy, trainee]\(foremPin)\(foremFrom.isEmpty ? "" : ", from: [\(foremFrom.joined(separator: ", "))]") }
              ACTIRIS: { receiveKeyFile: actiris-to-vdab.key, receive: [trainee]\(actirisPin) }
            """)
        gateway = GatewayProcess(config: config)
        try await gateway.start()
    }

    /// The exchange listener's URL (`https://` with `tls`), and the admin listener's.
    var url: String { gateway.url }
    var adminURL: String { gateway.adminURL }

    struct Answer { var status: Int; var text: String; var retryAfter: String? = nil }

    /// What a client trusts and shows over TLS: the test CA, and the certificate of `sender`
    /// (Le Forem's or Actiris's; none for another).
    func clientTLS(as sender: String) throws -> TLSConfiguration? {
        guard let certificates else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(certificates.ca.caFile)
        let issued = sender == "ACTIRIS" ? certificates.actiris : sender == "FOREM" ? certificates.forem : nil
        if let issued {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(issued.certificateFile).map { .certificate($0) }
            // (A `.file` source ending in .key is read as DER by swift-nio-ssl: the key is read here, as PEM.)
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: issued.keyFile, format: .pem))
        }
        return configuration
    }

    /// A request signed as `sender` (the protocol's endpoints), over TLS with its certificate.
    func signed(_ method: String, _ path: String, as sender: String, body: [UInt8] = []) async throws -> Answer {
        var request = HTTPClientRequest(url: url + path)
        request.method = .init(rawValue: method)
        request.tlsConfiguration = try clientTLS(as: sender)
        for field in ReceivingFixture.headers(RequestSignature(key: Self.key(sender)), as: sender, method: method, path: path, body: body) {
            request.headers.add(name: field.name.rawName, value: field.value)
        }
        if method == "POST" { request.body = .bytes(ByteBuffer(bytes: body)) }
        return try await Self.answer(request)
    }

    /// A request with an operator's bearer token (the admin and statistics endpoints, on the admin listener).
    func call(_ method: String, _ path: String, token: String?, body: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: adminURL + path)
        request.method = .init(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        return try await Self.answer(request)
    }

    static func answer(_ request: HTTPClientRequest) async throws -> Answer {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return Answer(status: Int(response.status.code), text: String(buffer: try await response.body.collect(upTo: 16 << 20)),
                      retryAfter: response.headers.first(name: "Retry-After"))
    }
}
