import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import Model
import Synchronization
import Testing

@Suite("Crashes of the receiving gateway", .bounded, .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
struct CrashTests {
    @Test("killed with SIGKILL during a stream of batches and restarted, every record is delivered exactly once")
    func killAndRestart() async throws {
        let temp = TemporaryFolder()
        let config = try ServeTests.configuration(in: temp)
        let signer = RequestSignature(key: Array("0123456789abcdef0123456789abcdef".utf8))

        // 24 batches of 25 generated Le Forem vacancies each.
        var generator = RecordGenerator(seed: 99)
        var batches: [(id: String, body: [UInt8])] = []
        var expected: [String] = []
        for b in 0..<24 {
            let id = String(format: "00000000-0000-4000-8000-%012d", b)
            let (body, ids) = try generator.batch(id: id, form: .json, vacancies: 25, from: b * 25)
            expected += ids
            batches.append((id, body))
        }

        func post(_ body: [UInt8], to url: String) async -> Int? {
            try? await HTTP.send(url + "/exchange/v1/batches", method: "POST", headers: HTTP.fields(ReceivingFixture.headers(signer, as: "FOREM", body: body)),
                                 body: body, timeout: .seconds(5)).status
        }

        let gateway = GatewayProcess(config: config)
        try await gateway.start()
        var acknowledged: Set<Int> = []
        var kills = 0
        var next = 0
        var random = SeededGenerator(seed: 7)
        while acknowledged.count < batches.count {
            // Send a few batches, one of them with a kill racing it, then restart.
            let index = next % batches.count
            next += 1
            if acknowledged.contains(index) { continue }
            if kills < 4 && next % 5 == 0 {
                let url = gateway.url
                async let status = post(batches[index].body, to: url)
                try await Task.sleep(for: .milliseconds(random.next(40)))
                gateway.kill()
                kills += 1
                if await status == 200 { acknowledged.insert(index) }
                try await gateway.start()
                continue
            }
            if await post(batches[index].body, to: gateway.url) == 200 { acknowledged.insert(index) }
        }
        // Every batch once more, as a sender that lost its receipts would: replays only.
        for batch in batches { #expect(await post(batch.body, to: gateway.url) == 200) }
        gateway.kill()
        #expect(kills == 4)

        let folder = temp.path("incoming")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(!files.contains { $0.hasSuffix(".partial") })
        var delivered: [String] = []
        for file in files {
            let records = try Translation.records([UInt8](FileManager.default.contents(atPath: folder + "/" + file)!), format: "vdab", .vacancy)
            delivered += records.map(\.id.rawValue)
        }
        #expect(delivered.count == expected.count)
        #expect(Set(delivered) == Set(expected))
    }
}

@Suite("Two gateways, as processes", .bounded, .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
struct TwoGatewayTests {
    @Test("gateway send on Le Forem's side ends up in VDAB's drop folder; both stop cleanly")
    func sendAndDeliver() async throws {
        let vdabFolder = TemporaryFolder(), foremFolder = TemporaryFolder()
        let vdab = GatewayProcess(config: try ServeTests.configuration(in: vdabFolder))
        try await vdab.start()
        let sendKey = try foremFolder.write("forem-to-vdab.key", "0123456789abcdef0123456789abcdef")
        let receiveKey = try foremFolder.write("vdab-to-forem.key", "fedcba9876543210fedcba9876543210")
        for key in [sendKey, receiveKey] { try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key) }
        let foremConfig = try foremFolder.write("forem.yaml", """
            agency: FOREM
            listen: 127.0.0.1:0
            store: forem.sqlite
            mappings: \(Project.mappings.path)
            delivery:
              folder: incoming
              vacancy: forem
            peers:
              VDAB:
                url: \(vdab.url)
                receiveKeyFile: vdab-to-forem.key
                sendKeyFile: forem-to-vdab.key
                receive: [vacancy]
                send: [vacancy]
            """)
        let forem = GatewayProcess(config: foremConfig)
        try await forem.start()

        let sent = try await Executable.run(["send", "--config", foremConfig, "--to", "VDAB", "--from", "forem", "fixtures/forem/vacancies.xml"])
        #expect(sent.status == 0, "\(sent.err)")
        let batchId = sent.out.trimmingCharacters(in: .whitespacesAndNewlines)

        // The dispatcher runs every half second: wait for the file, up to 20 s.
        let expected = vdabFolder.path("incoming/forem-\(batchId).json")
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: expected) && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(FileManager.default.fileExists(atPath: expected))
        if let data = FileManager.default.contents(atPath: expected) {
            #expect(try Translation.records([UInt8](data), format: "vdab", .vacancy).count == 4)
        }

        for gateway in [forem, vdab] {
            let p = try await gateway.stop()
            #expect(p.terminationReason == .exit && p.terminationStatus == 0)
        }
        // Le Forem's ledger says delivered.
        let store = try SQLiteStore(path: foremFolder.path("forem.sqlite"))
        #expect(try await store.outgoingState(batchId)?.state == .delivered)
    }

    @Test("a peer process stopped: batches pile up with back-off; restarted on its address, all are delivered, each once")
    func peerStoppedAndRestarted() async throws {
        let vdabFolder = TemporaryFolder(), foremFolder = TemporaryFolder()
        let port = try LocalNetwork.freePort()
        let vdab = GatewayProcess(config: try ServeTests.configuration(in: vdabFolder, port: port))
        let outbox = try SQLiteStore(path: foremFolder.path("forem.sqlite"))
        var generator = RecordGenerator(seed: 5)
        var expected: [String] = []
        for b in 0..<6 {
            let id = String(format: "00000000-0000-4000-9000-%012d", b)
            let form: BatchForm = b % 2 == 0 ? .json : .xml
            let (body, ids) = try generator.batch(id: id, form: form, vacancies: 10, from: b * 10)
            expected += ids
            try await outbox.enqueue(batchId: id, to: .vdab, recordType: .vacancy, body: body, form: form)
        }
        let dispatcher = Dispatcher(agency: .forem, store: outbox, client: PeerClient(timeout: .seconds(5)),
                                    policy: RetryPolicy(firstDelay: 0.2, maximumDelay: 1, maximumAttempts: 50, maximumAge: 600, jitter: 0.2),
                                    peers: [.vdab: .init(url: "http://127.0.0.1:\(port)", signer: RequestSignature(key: Array("0123456789abcdef0123456789abcdef".utf8)))])
        // The peer is down: every batch is tried, and waits.
        let t0 = Date()
        #expect(try await dispatcher.tick(now: t0) == 6)
        #expect(try await outbox.queuedCount() == 6)
        #expect(try await dispatcher.tick(now: t0) == 0)   // not due again before its back-off (at least 0.16 s)
        #expect(try await dispatcher.tick(now: t0.addingTimeInterval(0.5)) == 6)   // due again after it, still down
        // The peer comes up on the same address: everything goes, with the same ids.
        try await vdab.start()
        defer { vdab.kill() }
        let deadline = Date().addingTimeInterval(30)
        while try await outbox.queuedCount() > 0, Date() < deadline {
            try await dispatcher.tick()
            try await Task.sleep(for: .milliseconds(100))
        }
        for b in 0..<6 {
            let state = try await outbox.outgoingState(String(format: "00000000-0000-4000-9000-%012d", b))
            #expect(state?.state == .delivered && (state?.attempts ?? 0) >= 3, "\(String(describing: state))")
        }
        var delivered: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: vdabFolder.path("incoming")) {
            delivered += try Translation.records(try LocalFiles.bytes(vdabFolder.path("incoming/" + file)), format: "vdab", .vacancy).map(\.id.rawValue)
        }
        #expect(delivered.sorted() == expected.sorted())
    }
}
