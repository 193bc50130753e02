import ExchangeProtocol
import Foundation
import Gateway
import HTTPTypes
import LedgerTestSupport
import Testing

/// `peers.X.from`: a peer's batches are taken only from its networks.
@Suite("A peer's source networks", .bounded, .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
struct SourceAddressTests {
    /// A signed batch request of Le Forem's, whole, as bytes.
    static func request(body: [UInt8]) -> [UInt8] {
        let fields = ReceivingFixture.headers(RequestSignature(key: ServedGateway.key("FOREM")), as: "FOREM", body: body)
        var head = "POST /exchange/v1/batches HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
        for field in fields { head += "\(field.name.rawName): \(field.value)\r\n" }
        // What a client says of its own address is not taken: the listener says it.
        head += "X-Gateway-Source-Address: 127.0.0.2\r\n\r\n"
        return Array(head.utf8) + body
    }

    @Test("Le Forem's batch from 127.0.0.1 is refused 403 when its network is 127.0.0.2/32 (a header claiming 127.0.0.2 is not believed), and receipted from 127.0.0.2")
    func refusedElsewhere() async throws {
        let served = try await ServedGateway(operators: [], foremFrom: ["127.0.0.2/32"])
        let port = try #require(URL(string: served.url)?.port)
        var generator = RecordGenerator(seed: 5)
        let (body, _) = try generator.batch(id: "5d0c1f7e-2b1a-4c3d-8e9f-0a1b2c3d4e5f", form: .json, vacancies: 3, from: 0)

        let outside = try RawConnection(port: port)
        outside.send(Self.request(body: body))
        let refused = outside.answer()
        #expect(refused.hasPrefix("HTTP/1.1 403"), "\(refused.prefix(300))")
        #expect(refused.contains("Wrong source address") && refused.contains("this one comes from 127.0.0.1"), "\(refused.prefix(600))")
        #expect(!refused.contains("127.0.0.2"), "the agreed networks are not told to whoever asks")

        let inside = try RawConnection(port: port, from: "127.0.0.2")
        inside.send(Self.request(body: body))
        let taken = inside.answer()
        #expect(taken.hasPrefix("HTTP/1.1 200"), "\(taken.prefix(600))")
        #expect(taken.contains("\"accepted\":3"), "\(taken.suffix(300))")
        served.gateway.kill()
    }
}
