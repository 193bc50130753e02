import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdTLS
import Ledger
import LedgerTestSupport
import Logging
import Model
import NIOCore
import NIOSSL
import Synchronization
import Testing

/// The agency's own systems behind HTTPS with mutual TLS and a bearer token: the gateway delivers
/// to the back office and picks up from the export with the credentials the configuration names
/// (`delivery.tokenFile`, `delivery.certificate`, `pickup.…`), and without them is refused.
@Suite("Credentials for the agency's own systems", .bounded)
struct EndpointCredentialsTests {
    /// A back office on loopback over TLS that asks every client for a certificate of `ca`, and
    /// answers 401 unless the request carries `Bearer <token>`; it notes each request's path.
    static func backOffice(_ ca: TestCertificates, served: TestCertificates.Issued, token: String, seen: Noted, document: [UInt8])
        throws -> some ApplicationProtocol {
        let router = Router()
        @Sendable func authorized(_ request: Request) -> Bool { request.headers[.authorization] == "Bearer \(token)" }
        router.post("/intake") { request, _ in
            _ = try await request.body.collect(upTo: 1 << 20)
            seen.note("POST /intake \(authorized(request))")
            return Response(status: authorized(request) ? .noContent : .unauthorized)
        }
        router.get("/export") { request, _ in
            seen.note("GET /export \(authorized(request))")
            guard authorized(request) else { return Response(status: .unauthorized) }
            guard request.uri.queryParameters["type"] == "vacancy", (request.uri.queryParameters["since"] ?? "").isEmpty else { return Response(status: .noContent) }
            return Response(status: .ok, headers: [.contentType: "application/xml", HTTPField.Name("X-Export-Cursor")!: "2026-11-22T06:00:00Z"],
                            body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: try NIOSSLCertificate.fromPEMFile(served.certificateFile).map { .certificate($0) },
                                                           privateKey: .privateKey(try NIOSSLPrivateKey(file: served.keyFile, format: .pem)))
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .file(ca.caFile)
        return Application(router: router, server: try .tls(.http1(), tlsConfiguration: tls), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    @Test("delivery.url and pickup.url with a token file and a client certificate: taken; without the certificate, or with another token, refused and the batch kept")
    func tokenAndCertificate() async throws {
        let temp = TemporaryFolder()
        let ca = try TestCertificates(in: temp, name: "vdab-internal")
        let served = try ca.issue("backoffice"), client = try ca.issue("VDAB")
        let token = "back-office token 0123456789abcdef"
        let tokenFile = try temp.write("backoffice.token", token + "\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokenFile)
        let wrongFile = try temp.write("wrong.token", "another token\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: wrongFile)
        let identity = CertificateFiles(certificateFile: client.certificateFile, keyFile: client.keyFile)
        let full = try EndpointCredentials(tokenFile: tokenFile, tls: OutgoingTLS(caFile: ca.caFile, identity: identity)).load()
        let noCertificate = try EndpointCredentials(tokenFile: tokenFile, tls: OutgoingTLS(caFile: ca.caFile)).load()
        let wrongToken = try EndpointCredentials(tokenFile: wrongFile, tls: OutgoingTLS(caFile: ca.caFile, identity: identity)).load()

        let store = try SQLiteStore(path: temp.path("vdab.sqlite"))
        _ = try await DeliveryTests().receiveOnly(store, try ReceivingFixture.batch())
        let seen = Noted()
        let document = try Translation.fixture("forem/vacancies.xml")
        try await Self.backOffice(ca, served: served, token: token, seen: seen, document: document).test(.live) { app async throws -> Void in
            let base = "https://127.0.0.1:\(app.port!)"
            let delivery = BackOfficeDelivery(agency: .vdab, backOffice: .endpoint(base + "/intake"), formats: [.vacancy: "vdab"], catalog: Translation.catalog,
                                              taxonomy: Translation.taxonomy, ledger: store)
            // No client certificate: the handshake fails; the batch stays pending.
            delivery.access.replace(noCertificate)
            await #expect(throws: (any Error).self) { try await delivery.deliverPending() }
            // The certificate, another token: 401; still pending.
            delivery.access.replace(wrongToken)
            await #expect { try await delivery.deliverPending() } throws: { "\($0)".contains("401") }
            #expect(try await store.pendingDeliveries().count == 1)
            // Both: delivered, once.
            delivery.access.replace(full)
            #expect(try await delivery.deliverPending() == 1)
            #expect(try await store.pendingDeliveries().isEmpty)

            // The export, the same way.
            let f = PickupFixture()
            let pickupStore = try f.store()
            let pickup = Pickup(agency: .forem, settings: PickupSettings(exportURL: base + "/export", formats: [.vacancy: "forem"], schedule: .every(60)),
                                peers: [.vdab: .init(sends: [.vacancy], encoding: .json)],
                                routing: Routing(rules: [RoutingRule(recordType: .vacancy, destination: .peers([.vdab]))]),
                                catalog: Translation.catalog, taxonomy: Translation.taxonomy, store: pickupStore, logger: Logger(label: "test.export"))
            pickup.access.replace(wrongToken)
            await #expect(throws: (any Error).self) { _ = try await pickup.run() }
            #expect(try await f.outbox(pickupStore).isEmpty)
            pickup.access.replace(full)
            #expect(try await pickup.run().map(\.queued) == [4])
        }
        let requests = seen.all
        #expect(requests.filter { $0.hasPrefix("POST") } == ["POST /intake false", "POST /intake true"], "\(requests)")
        #expect(requests.filter { $0.hasPrefix("GET") }.first == "GET /export false", "\(requests)")
        #expect(requests.filter { $0 == "GET /export true" }.count >= 1, "\(requests)")
    }
}

/// What a test server noted, in order.
final class Noted: Sendable {
    private let list = Mutex<[String]>([])
    func note(_ line: String) { list.withLock { $0.append(line) } }
    var all: [String] { list.withLock { $0 } }
}
