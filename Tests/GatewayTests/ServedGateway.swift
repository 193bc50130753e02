import AsyncHTTPClient
import Exchange
import Foundation
import Gateway
import NIOCore

/// VDAB's gateway as its own `gateway serve` process on a loopback port: receiving vacancies and
/// trainees from Le Forem and trainees from Actiris, with operator tokens of the roles asked for.
/// Every key file holds the same 32 characters (`TemporaryFolder.keys`).
struct ServedGateway {
    static let key = Array("0123456789abcdef0123456789abcdef".utf8)
    let temp = TemporaryFolder()
    let gateway: GatewayProcess
    /// Each operator's token, by name.
    let tokens: [String: String]

    init(operators: [(name: String, role: OperatorTokens.Role, grants: Set<OperatorTokens.Grant>)]) throws {
        try temp.keys("forem-to-vdab.key", "actiris-to-vdab.key", "vdab-payload.key")
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
            store: vdab.sqlite
            mappings: \(Project.mappings.path)
            payloadKeyFile: vdab-payload.key
            operators: { tokensFile: operators.tokens }
            delivery: { folder: incoming, vacancy: vdab, trainee: vdab }
            peers:
              FOREM: { receiveKeyFile: forem-to-vdab.key, receive: [vacancy, trainee] }
              ACTIRIS: { receiveKeyFile: actiris-to-vdab.key, receive: [trainee] }
            """)
        gateway = GatewayProcess(config: config)
        try gateway.start()
    }

    var url: String { gateway.url }

    struct Answer { var status: Int; var text: String }

    /// A request signed as `sender` (the protocol's endpoints).
    func signed(_ method: String, _ path: String, as sender: String, body: [UInt8] = []) async throws -> Answer {
        var request = HTTPClientRequest(url: url + path)
        request.method = .init(rawValue: method)
        for field in ReceivingFixture.headers(RequestSignature(key: Self.key), as: sender, method: method, path: path, body: body) {
            request.headers.add(name: field.name.rawName, value: field.value)
        }
        if method == "POST" { request.body = .bytes(ByteBuffer(bytes: body)) }
        return try await Self.answer(request)
    }

    /// A request with an operator's bearer token (the admin and statistics endpoints).
    func call(_ method: String, _ path: String, token: String?, body: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: url + path)
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
        return Answer(status: Int(response.status.code), text: String(buffer: try await response.body.collect(upTo: 16 << 20)))
    }
}
