import ExchangeHTTP
import ExchangeProtocol
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import LedgerTestSupport
import NIOCore
import Testing
import Yams

@Suite("The OpenAPI document and the routes agree", .bounded)
struct OpenAPITests {
    @Test("every endpoint served is described, every described endpoint is served, and the document is served as it is")
    func agree() async throws {
        let text = try GatewayServer.openAPIDocument(mappings: Project.mappings)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let described = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
        let served = Set(GatewayServer.endpoints.map { "\($0.method) \($0.path)" })
        #expect(described == served)

        let f = ReceivingFixture()
        let forem = f.forem
        defer { withExtendedLifetime(f) {} }
        let router = Router()
        ReceivingGateway(agency: .vdab, peers: [.forem: .init(signature: forem)], store: try SQLiteStore(path: f.temp.path("s.sqlite")),
                         taxonomy: Translation.taxonomy).addRoutes(to: router)
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            // Each described endpoint answers, with something other than "no such route".
            for endpoint in ReceivingGateway.endpoints {
                let path = endpoint.path.replacingOccurrences(of: "{batchId}", with: "00000000-0000-4000-8000-000000000000")
                let response = try await client.execute(uri: path, method: endpoint.method == "POST" ? .post : .get)
                // Unsigned, each answers 200, 401 or 415 — never the router's "no such route".
                #expect(response.status != .notFound && response.status != .methodNotAllowed, "\(endpoint.method) \(endpoint.path)")
            }
            let manifestPath = "/exchange/v1/manifest?since=2026-01-01T00:00:00Z&until=2030-01-01T00:00:00Z"
            let manifest = try await client.execute(uri: manifestPath, method: .get,
                                                    headers: ReceivingFixture.headers(forem, as: "FOREM", method: "GET", path: manifestPath, body: []))
            #expect(manifest.status == .ok)
            let decoded = try JSONDecoder().decode(Manifest.self, from: Data(buffer: manifest.body))
            #expect(decoded.sender == "FOREM" && decoded.receiver == "VDAB" && decoded.batches.isEmpty)
        }
    }
}

