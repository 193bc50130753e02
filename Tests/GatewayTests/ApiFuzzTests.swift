import AsyncHTTPClient
import ExchangeHTTP
import ExchangeProtocol
import Foundation
import Gateway
import LedgerTestSupport
import NIOCore
import Testing

enum Schemathesis {
    /// `schemathesis` on the PATH (`pip install schemathesis`; `.ci/run` installs it).
    static let available = ChildProgram.succeeds("/usr/bin/env", ["schemathesis", "--version"])
    /// CI sets GATEWAY_REQUIRE_FUZZ=1: there a missing schemathesis is a failure, not a skip.
    static let required = ProcessInfo.processInfo.environment["GATEWAY_REQUIRE_FUZZ"] == "1"
}

/// schemathesis against a running `gateway serve`: every operation of its `/openapi.yaml`, every
/// check (no 5xx, status codes, content types, bodies and headers as documented, bad input refused,
/// good input accepted where the document can say what good is), with a fixed seed and a bounded
/// number of examples (`fixtures/fuzz/schemathesis.toml`). Signed endpoints are signed as Le Forem
/// by `fixtures/fuzz/pes_signature.py`; the admin and statistics endpoints get an operator token.
/// Each listener is fuzzed with the operations it serves: the exchange's on `listen`, the others on
/// `admin.listen`; and the exchange's once more over mutual TLS, with Le Forem's certificate.
@Suite("API fuzzing with schemathesis", .bounded, .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"),
       .enabled(if: Schemathesis.available || Schemathesis.required, "schemathesis is not installed (pip install schemathesis): API fuzzing skipped"))
struct ApiFuzzTests {
    @Test("schemathesis finds no server error and no answer that the OpenAPI document does not describe, on both listeners", .timeLimit(.minutes(10)))
    func fuzz() async throws {
        guard Self.ready() else { return }
        let served = try await ServedGateway(operators: [("fuzz", .operator, [.traineePayloads])])
        defer { served.gateway.kill() }
        let batchId = try await Self.firstBatch(served)
        let exchange = try await Self.run(served, url: served.url, paths: "^/exchange/", batchId: batchId)
        let admin = try await Self.run(served, url: served.adminURL, paths: "^/(admin|stats|dashboard|metrics|openapi)", batchId: batchId)
        #expect(exchange + admin >= 500, "only \(exchange + admin) cases generated")
        // Still up, and the batch received first still there.
        #expect(try await served.signed("GET", "/exchange/v1/batches/\(batchId)/receipt", as: "FOREM").status == 200)
    }

    @Test("the same over mutual TLS: the exchange's operations on the TLS listener, with Le Forem's client certificate", .timeLimit(.minutes(10)))
    func fuzzOverTLS() async throws {
        guard Self.ready() else { return }
        let served = try await ServedGateway(operators: [("fuzz", .operator, [.traineePayloads])], tls: true)
        defer { served.gateway.kill() }
        #expect(served.url.hasPrefix("https://"))
        let batchId = try await Self.firstBatch(served)
        let forem = try #require(served.certificates).forem
        let generated = try await Self.run(served, url: served.url, paths: "^/exchange/", batchId: batchId,
                                     tls: ["--tls-verify", served.certificates!.ca.caFile, "--request-cert", forem.certificateFile, "--request-cert-key", forem.keyFile])
        #expect(generated >= 100, "only \(generated) cases generated")
        #expect(try await served.signed("GET", "/exchange/v1/batches/\(batchId)/receipt", as: "FOREM").status == 200)
    }

    /// Whether schemathesis is there; where it is required (GATEWAY_REQUIRE_FUZZ=1, as in CI) and
    /// missing, the test fails (without the requirement the suite is skipped, with its reason).
    static func ready() -> Bool {
        guard Schemathesis.available else {
            Issue.record("schemathesis is not installed (pip install schemathesis), and GATEWAY_REQUIRE_FUZZ=1 requires it")
            return false
        }
        return true
    }

    /// One real batch first, so that its receipt and its admin views are there to be asked for.
    static func firstBatch(_ served: ServedGateway) async throws -> String {
        let batchId = "5c4e7a1d-2b3f-4c5d-8e9f-0a1b2c3d4e5f"
        let first = try await served.signed("POST", "/exchange/v1/batches", as: "FOREM", body: try ReceivingFixture.batch(batchId: batchId))
        #expect(first.status == 200, "the first batch was not received: \(first.text.prefix(300))")
        return batchId
    }

    /// schemathesis on the operations whose path matches `paths`, sent to `url`; the document is
    /// read from the admin listener. Returns how many cases it generated.
    static func run(_ served: ServedGateway, url: String, paths: String, batchId: String, tls: [String] = []) async throws -> Int {
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = Project.root.appendingPathComponent("fixtures/fuzz").path
        environment["SCHEMATHESIS_HOOKS"] = "pes_signature"
        environment["PES_SENDER"] = "FOREM"
        environment["PES_KEY_FILE"] = served.temp.path("forem-to-vdab.key")
        environment["FUZZ_BATCH_ID"] = batchId
        let run = try await ChildProgram.run("/usr/bin/env", ["schemathesis", "--config-file", Project.root.appendingPathComponent("fixtures/fuzz/schemathesis.toml").path,
                                                              "run", served.adminURL + "/openapi.yaml", "--url", url, "--include-path-regex", paths,
                                                              "-H", "Authorization: Bearer \(served.tokens["fuzz"]!)", "--request-timeout", "30", "--no-color"] + tls,
                                             in: served.temp.url, environment: environment, mergingOutput: true, timeout: .seconds(600))
        let text = run.out
        // "1255 generated, 1255 passed, 22 skipped" and "Seed: 20261202"
        let summary = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.range(of: #"^\d+ generated"#, options: .regularExpression) != nil || $0.hasPrefix("Seed:") }
        print("schemathesis on \(url) (\(paths)): " + summary.joined(separator: "; "))
        #expect(run.status == 0, "schemathesis found failures on \(url):\n\(text.suffix(6000))")
        return summary.first.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
    }
}
