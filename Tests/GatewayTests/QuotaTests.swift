import ExchangeProtocol
import Foundation
import Gateway
import LedgerTestSupport
import Testing

/// `receiving.quota` and `receiving.freeDiskMegabytes` against a `gateway serve` process.
@Suite("Quotas a minute per peer and the free-disk floor", .bounded, .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
struct QuotaTests {
    static func post(_ served: ServedGateway, _ generator: inout RecordGenerator, from: Int) async throws -> ServedGateway.Answer {
        let (body, _) = try generator.batch(id: UUID().uuidString.lowercased(), form: .json, vacancies: 10, from: from)
        return try await served.signed("POST", "/exchange/v1/batches", as: "FOREM", body: body)
    }

    @Test("three batches a minute: the fourth is 429 with Retry-After (about 20 s) and says the quota; nothing of it stored")
    func batchesAMinute() async throws {
        let served = try await ServedGateway(operators: [], receiving: "{ quota: { batchesPerMinute: 3 } }")
        var generator = RecordGenerator(seed: 3)
        for n in 0..<3 { #expect(try await Self.post(served, &generator, from: n * 10).status == 200) }
        let over = try await served.signed("POST", "/exchange/v1/batches", as: "FOREM",
                                           body: try generator.batch(id: UUID().uuidString.lowercased(), form: .json, vacancies: 10, from: 30).body)
        #expect(over.status == 429 && over.text.contains("Over quota") && over.text.contains("3 batches a minute from FOREM (receiving.quota)"), "\(over.status) \(over.text)")
        let retry = over.retryAfter.flatMap { Int($0) }
        #expect(retry.map { (15...21).contains($0) } == true, "Retry-After \(String(describing: retry))")
        served.gateway.kill()
    }

    @Test("below the free-disk floor a batch is 503 saying so, and the metrics say receiving is paused for the disk")
    func diskFloor() async throws {
        let served = try await ServedGateway(operators: [], receiving: "{ freeDiskMegabytes: 1000000000 }")
        var generator = RecordGenerator(seed: 4)
        let answer = try await Self.post(served, &generator, from: 0)
        #expect(answer.status == 503 && answer.text.contains("Disk nearly full") && answer.text.contains("receiving.freeDiskMegabytes"), "\(answer.status) \(answer.text)")
        let metrics = try await served.call("GET", "/metrics", token: nil).text
        #expect(metrics.contains("gateway_receiving_paused{reason=\"disk\"} 1"), "\(metrics.split(separator: "\n").filter { $0.contains("disk") })")
        #expect(metrics.contains("gateway_disk_free_bytes "))
        served.gateway.kill()
    }
}
