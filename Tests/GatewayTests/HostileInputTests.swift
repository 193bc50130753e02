import AsyncHTTPClient
import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import NIOCore
import NIOSSL
import Testing
import Yams

/// Every case of `fixtures/hostile/cases.yaml` sent to a running `gateway serve` (VDAB's) on
/// loopback: each gets its documented status and problem body, nothing is stored but what a case
/// says, the server stays up, and its memory stays bounded.
@Suite("Hostile input", .bounded, .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
struct HostileInputTests {
    static let folder = Project.root.appendingPathComponent("fixtures/hostile").path
    static let foremKey = "0123456789abcdef0123456789abcdef", actirisKey = "fedcba9876543210fedcba9876543210"

    struct Case {
        var name: String
        var body: String
        var replace: [(String, String)] = []
        var generate: String?
        var sign = "valid"
        var headers: [String: String] = [:]
        var contentType: String?
        var method = "POST"
        var path = "/exchange/v1/batches"
        var chunked = false
        var status: Int
        var title: String
        var stored = false
    }

    static func cases() throws -> [Case] {
        let text = try String(contentsOfFile: folder + "/cases.yaml", encoding: .utf8)
        guard let list = try Yams.load(yaml: text) as? [[String: Any]] else { throw GatewayError("cases.yaml is not a list of cases") }
        return try list.map { d in
            guard let name = d["name"] as? String, let body = d["body"] as? String, let status = d["status"] as? Int else {
                throw GatewayError("a case without name, body or status: \(d)")
            }
            var c = Case(name: name, body: body, status: status, title: d["title"] as? String ?? "")
            c.replace = (d["replace"] as? [[String]] ?? []).map { ($0[0], $0[1]) }
            c.generate = d["generate"] as? String
            c.sign = d["sign"] as? String ?? "valid"
            c.headers = (d["headers"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
            c.contentType = d["contentType"] as? String
            c.method = d["method"] as? String ?? "POST"
            c.path = d["path"] as? String ?? "/exchange/v1/batches"
            c.chunked = d["chunked"] as? Bool ?? false
            c.stored = d["stored"] as? Bool ?? false
            return c
        }
    }

    /// The base batch: Le Forem's fixture vacancies for VDAB, with a batch id of the case's own.
    static func base(_ form: String, id: String) throws -> [UInt8] {
        try ReceivingFixture.batch(form, batchId: id)
    }

    /// The case's body, as bytes.
    static func body(of c: Case, id: String) throws -> [UInt8] {
        var bytes: [UInt8]
        switch c.body {
        case "base": bytes = try base("exchange-json", id: id)
        case "base-xml": bytes = try base("exchange-xml", id: id)
        case let literal where literal.hasPrefix("text:"): bytes = Array(literal.dropFirst(5).utf8)
        default: bytes = try LocalFiles.bytes(folder + "/" + c.body)
        }
        var text = String(decoding: bytes, as: UTF8.self)
        for (from, to) in c.replace {
            guard text.contains(from) else { throw GatewayError("case '\(c.name)': the text to replace is not in the body: \(from.prefix(60))") }
            text = text.replacingOccurrences(of: from, with: to)
        }
        if !c.replace.isEmpty { bytes = Array(text.utf8) }
        guard let generate = c.generate else { return bytes }
        let words = generate.split(separator: " ", maxSplits: 1).map(String.init)
        let n = words.count > 1 ? Int(words[1]) ?? 0 : 0
        let lines = text.components(separatedBy: "\n")
        let head = lines.prefix { !$0.hasPrefix("    {") }, records = lines.filter { $0.hasPrefix("    {") }
        func with(records chosen: [String]) -> [UInt8] {
            let joined = chosen.enumerated().map { i, r in
                let plain = r.hasSuffix(",") ? String(r.dropLast()) : r
                return i == chosen.count - 1 ? plain : plain + ","
            }
            return Array((head + joined + ["  ]", "}", ""]).joined(separator: "\n").utf8)
        }
        switch words[0] {
        case "truncate": return Array(bytes.prefix(n))
        case "deep-json":
            return Array(text.replacingOccurrences(of: "\"positionOpenQuantity\":1", with: "\"positionOpenQuantity\":" + String(repeating: "[", count: n) + "1"
                                                   + String(repeating: "]", count: n)).utf8)
        case "deep-xml":
            return Array(text.replacingOccurrences(of: "<PositionTitle>", with: String(repeating: "<a>", count: n) + "<PositionTitle>")
                .replacingOccurrences(of: "</PositionTitle>", with: "</PositionTitle>" + String(repeating: "</a>", count: n)).utf8)
        case "latin1": return text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        case "overlong-slash":
            let t = Array(text.utf8), slash = Array("Soudeur / Soudeuse".utf8)
            guard let at = t.indices.first(where: { t[$0...].starts(with: slash) }) else { throw GatewayError("overlong-slash: no title to change") }
            return Array(t[..<(at + 8)]) + [0xC0, 0xAF] + Array(t[(at + 9)...])
        case "utf16": return [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        case "big-number":
            return Array(text.replacingOccurrences(of: "\"positionOpenQuantity\":1", with: "\"positionOpenQuantity\":" + String(repeating: "9", count: n)).utf8)
        case "long-string":
            return Array(text.replacingOccurrences(of: "Soudeur / Soudeuse TIG", with: String(repeating: "x", count: n)).utf8)
        case "batch-id-number": return Array(text.replacingOccurrences(of: "\"batchId\": \"\(id)\"", with: "\"batchId\": 12345").utf8)
        case "batch-id": return Array(text.replacingOccurrences(of: "\"batchId\": \"\(id)\"", with: "\"batchId\": \"\(words[1])\"").utf8)
        case "records": return with(records: Array(repeating: records[0], count: n))
        case "zeros": return Array(text.prefix { $0 != "[" }.utf8) + Array(repeating: UInt8(ascii: "0"), count: n)
        case "base-twice": return bytes   // the test sends the base first under the same id
        // What one record of a signed peer's batch can hold (issue 36): each past one limit of the readers.
        case "xml-elements": return Array(text.replacingOccurrences(of: "</PositionTitle>", with: "</PositionTitle>" + String(repeating: "<x/>", count: n)).utf8)
        case "xml-attribute":
            return Array(text.replacingOccurrences(of: "<PositionTitle>", with: "<PositionTitle junk=\"\(String(repeating: "x", count: n))\">").utf8)
        case "xml-attributes":
            return Array(text.replacingOccurrences(of: "<PositionTitle>", with: "<PositionTitle " + (0..<n).map { "a\($0)=\"1\"" }.joined(separator: " ") + ">").utf8)
        case "xml-text": return Array(text.replacingOccurrences(of: "</PositionTitle>", with: "</PositionTitle><x>" + String(repeating: "x", count: n) + "</x>").utf8)
        case "json-values":
            return Array(text.replacingOccurrences(of: "\"positionOpenQuantity\":1", with: "\"positionOpenQuantity\":1,\"junk\":[" + Array(repeating: "{}", count: n).joined(separator: ",") + "]").utf8)
        default: throw GatewayError("case '\(c.name)': unknown generate \(generate)")
        }
    }

    static func stream(_ chunks: [ByteBuffer]) -> AsyncStream<ByteBuffer> {
        AsyncStream { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
    }

    static func peakMegabytes(of pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return nil }
        return kb / 1024
    }

    @Test("every case gets its documented status and problem body; nothing is stored; the server stays up, its memory bounded (in clear on loopback, and on the mutual TLS listener)",
          .timeLimit(.minutes(5)), arguments: [false, true])
    func corpus(_ overTLS: Bool) async throws {
        let cases = try Self.cases()
        #expect(cases.count >= 60)
        let temp = TemporaryFolder()
        _ = try temp.write("forem-to-vdab.key", Self.foremKey)
        _ = try temp.write("actiris-to-vdab.key", Self.actirisKey)
        _ = try temp.write("vdab-payload.key", "payload-key-payload-key-payload-key-0123")
        for name in ["forem-to-vdab.key", "actiris-to-vdab.key", "vdab-payload.key"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: temp.path(name))
        }
        // Over TLS: each sender shows its own agency's certificate, pinned by VDAB.
        var tlsLine = "", foremPin = "", actirisPin = "", clientTLS: [String: TLSConfiguration] = [:]
        if overTLS {
            let ca = try TestCertificates(in: temp)
            let vdab = try ca.issue("VDAB"), forem = try ca.issue("FOREM"), actiris = try ca.issue("ACTIRIS")
            tlsLine = "tls: { certificateFile: \(vdab.certificateFile), keyFile: \(vdab.keyFile), clientCAFile: \(ca.caFile), requireClientCertificate: true }"
            foremPin = ", certificate: { sha256: \(forem.sha256) }"
            actirisPin = ", certificate: { commonName: ACTIRIS }"
            clientTLS = ["FOREM": try TLSPair.client(trust: ca.caFile, certificate: forem), "ACTIRIS": try TLSPair.client(trust: ca.caFile, certificate: actiris)]
        }
        let config = try temp.write("vdab.yaml", """
            agency: VDAB
            listen: 127.0.0.1:0
            \(tlsLine)
            store: vdab.sqlite
            mappings: \(Project.mappings.path)
            payloadKeyFile: vdab-payload.key
            delivery: { folder: incoming, vacancy: vdab, trainee: vdab }
            peers:
              FOREM: { receiveKeyFile: forem-to-vdab.key, receive: [vacancy, trainee]\(foremPin) }
              ACTIRIS: { receiveKeyFile: actiris-to-vdab.key, receive: [trainee]\(actirisPin) }
            """)
        let gateway = GatewayProcess(config: config)
        try await gateway.start()
        defer { gateway.kill() }
        let pid = try #require(gateway.process?.processIdentifier)
        let client = HTTPClient.shared
        
        let store = try SQLiteStore(path: temp.path("vdab.sqlite"), payloadKey: try PayloadKey(material: Array("payload-key-payload-key-payload-key-0123".utf8)))
        func batches() async throws -> Int { Int(try await store.rows("SELECT COUNT(*) FROM batch", []).first?.first.flatMap { $0 } ?? "0") ?? 0 }

        func send(_ c: Case, body: [UInt8]) async throws -> (status: Int, contentType: String?, text: String) {
            let forem = RequestSignature(key: Array(Self.foremKey.utf8)), actiris = RequestSignature(key: Array(Self.actirisKey.utf8))
            var request = HTTPClientRequest(url: gateway.url + c.path)
            request.method = .init(rawValue: c.method)
            let contentType = c.contentType ?? (body.first == UInt8(ascii: "<") ? "application/xml" : "application/json")
            if !contentType.isEmpty && c.method == "POST" { request.headers.add(name: "Content-Type", value: contentType) }
            let pathForSignature = c.path
            var timestamp = Date(), signer = forem, sender = "FOREM", signed = body
            switch c.sign {
            case "old": timestamp = timestamp.addingTimeInterval(-600)
            case "future": timestamp = timestamp.addingTimeInterval(600)
            case "other-key": signer = RequestSignature(key: Array("another-key-another-key-another-k".utf8))
            case "other-body": signed = Array("another body".utf8)
            case "actiris": signer = actiris; sender = "ACTIRIS"
            case "as-actiris": sender = "ACTIRIS"
            case "unknown-sender": sender = "EVIL"
            default: break
            }
            let stamp = Instant.text(timestamp)
            request.tlsConfiguration = clientTLS[sender] ?? clientTLS["FOREM"]
            if c.sign != "none" {
                request.headers.add(name: RequestSignature.senderHeader, value: sender)
                request.headers.add(name: RequestSignature.timestampHeader, value: c.sign == "unreadable-time" ? "yesterday at noon" : stamp)
                switch c.sign {
                case "no-signature": break
                case "malformed": request.headers.add(name: RequestSignature.signatureHeader, value: "md5=abc")
                default: request.headers.add(name: RequestSignature.signatureHeader,
                                             value: signer.sign(method: c.method, pathWithQuery: pathForSignature, timestamp: stamp, body: signed))
                }
            }
            for (name, value) in c.headers { request.headers.replaceOrAdd(name: name, value: value) }
            if c.method == "POST" {
                if c.chunked {
                    let chunks = stride(from: 0, to: body.count, by: 1 << 16).map { ByteBuffer(bytes: body[$0..<min(body.count, $0 + (1 << 16))]) }
                    request.body = .stream(Self.stream(chunks), length: .unknown)
                } else if body.count > 50_000_000 {
                    // Declared whole; streamed lazily, so that the test holds no 200 MB either.
                    let size = body.count
                    let chunk = ByteBuffer(bytes: Array(body.prefix(1 << 16)))
                    request.body = .stream(Self.stream(Array(repeating: chunk, count: size >> 16)), length: .known(Int64((size >> 16) << 16)))
                } else {
                    request.body = .bytes(ByteBuffer(bytes: body))
                }
            }
            let response = try await client.execute(request, timeout: .seconds(60))
            let answer = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), response.headers.first(name: "Content-Type"), String(buffer: answer))
        }

        // A first batch from Le Forem, stored: the one whose receipt another peer must not see.
        let control = try Self.base("exchange-json", id: "0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77")
        #expect(try await send(Case(name: "control", body: "base", status: 200, title: ""), body: control).status == 200)

        var checked = 0
        for (i, c) in cases.enumerated() {
            let id = String(format: "7e57ca5e-0000-4000-8000-%012d", i)
            let body = try Self.body(of: c, id: id)
            if c.generate == "base-twice" { _ = try await send(c, body: try Self.base("exchange-json", id: id)) }
            let before = try await batches()
            let sent = c.generate == "base-twice" ? Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "Soudeur", with: "Lasser").utf8) : body
            let answer: (status: Int, contentType: String?, text: String)
            do { answer = try await send(c, body: sent) } catch let error as HTTPClientError where c.chunked && c.status == 413 && error == .remoteConnectionClosed {
                // The gateway answers 413 once the limit is passed and closes the connection after
                // reading at most 1 MiB more; a client still writing its chunks may meet the close
                // before it reads the answer (seen once in a full run on this 2-core machine). The
                // body is refused either way; what matters is that nothing was stored.
                #expect(try await batches() == before, "\(c.name): stored")
                checked += 1
                continue
            } catch {
                Issue.record("\(c.name): \(error)")
                continue
            }
            #expect(answer.status == c.status, "\(c.name): \(answer.status) \(answer.text.prefix(300))")
            if c.status >= 400 {
                #expect(answer.contentType == "application/problem+json", "\(c.name)")
                if let problem = try? JSONSerialization.jsonObject(with: Data(answer.text.utf8)) as? [String: Any] {
                    #expect(problem["title"] as? String == c.title, "\(c.name): \(answer.text.prefix(300))")
                    #expect(problem["status"] as? Int == c.status, "\(c.name)")
                    #expect(problem["detail"] is String && problem["type"] is String, "\(c.name)")
                } else {
                    Issue.record("\(c.name): the answer is not a problem body: \(answer.text.prefix(200))")
                }
            }
            let after = try await batches()
            #expect(after - before == (c.stored && c.generate != "base-twice" ? 1 : 0), "\(c.name): \(after - before) batches stored")
            checked += 1
        }
        #expect(checked == cases.count)

        // Still up; the text fields that are code elsewhere are stored as text, and the record id
        // with a path in it made no file outside the drop folder.
        #expect(try await send(Case(name: "health", body: "text:", method: "GET", path: "/exchange/v1/health", status: 200, title: ""), body: []).status == 200)
        #expect(gateway.url.hasPrefix(overTLS ? "https://" : "http://"))
        #expect(try await store.rows("SELECT COUNT(*) FROM record WHERE record_id = 'FO-4481237'", []).first?.first.flatMap { $0 } != "0")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/pwned"))
        let delivered = try FileManager.default.contentsOfDirectory(atPath: temp.path("incoming"))
        #expect(delivered.allSatisfy { !$0.contains("/") && !$0.contains("..") })
        // Memory stayed bounded: the 200 MB body was refused by its length, the 17 MB one after 16 MiB.
        let peak = try #require(Self.peakMegabytes(of: pid))
        #expect(peak < 250, "peak resident memory \(peak) MB")
        print("hostile input\(overTLS ? " over mutual TLS" : ""): \(checked) cases, peak resident memory of the gateway \(Int(peak)) MB")
    }
}
