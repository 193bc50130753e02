import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import Logging
import Model
import Testing

/// `deploy/replicas/` on this machine, as the tests run it: VDAB's two replicas on one PostgreSQL
/// ledger behind `gateway proxy`, Le Forem's two replicas on another, and Actiris on SQLite —
/// every `gateway serve` its own process, on free loopback ports, each database new.
struct ReplicaSetup {
    let temp = TemporaryFolder()
    let ports: [String: Int]
    let vdabDatabase: PostgresSettings, foremDatabase: PostgresSettings
    let processes: [String: GatewayProcess]
    /// Processes that are running, by name.
    static let gateways = ["vdab-a", "vdab-b", "forem-a", "forem-b", "actiris"]

    init(lease: String = "12s") async throws {
        vdabDatabase = try await TestPostgres.newDatabase()
        foremDatabase = try await TestPostgres.newDatabase()
        var ports: [String: Int] = [:]
        for name in Self.gateways + ["proxy"] { ports[name] = try LocalNetwork.freePort() }
        self.ports = ports
        try temp.keys("secrets/forem-to-vdab.key", "secrets/vdab-to-forem.key", "secrets/actiris-to-vdab.key", "secrets/vdab-to-actiris.key",
                      "secrets/vdab-payload.key", "secrets/forem-payload.key", "secrets/actiris-payload.key")
        // deploy/replicas/'s files, with this run's ports, databases and folders.
        let replacements = [
            ("127.0.0.1:8410", "127.0.0.1:\(ports["proxy"]!)"),
            ("127.0.0.1:8411", "127.0.0.1:\(ports["vdab-a"]!)"), ("127.0.0.1:8412", "127.0.0.1:\(ports["vdab-b"]!)"),
            ("127.0.0.1:8421", "127.0.0.1:\(ports["forem-a"]!)"), ("127.0.0.1:8422", "127.0.0.1:\(ports["forem-b"]!)"),
            ("127.0.0.1:8423", "127.0.0.1:\(ports["actiris"]!)"),
            ("postgres://gateway@127.0.0.1:54320/gateway_vdab", vdabDatabase.url), ("postgres://gateway@127.0.0.1:54320/gateway_forem", foremDatabase.url),
            ("../local/secrets/", "secrets/"), ("../../mappings", Project.mappings.path), ("../../var/replicas/", ""),
            ("lease: 15s", "lease: \(lease)"), ("every: 2s", "every: 1s"),
        ]
        var processes: [String: GatewayProcess] = [:]
        for name in Self.gateways {
            var text = try String(contentsOfFile: Project.root.appendingPathComponent("deploy/replicas/\(name).yaml").path, encoding: .utf8)
            for (from, to) in replacements { text = text.replacingOccurrences(of: from, with: to) }
            // The operators' listener on a port of its own: the default (the exchange's + 1000) may be taken.
            text += "admin: { listen: 127.0.0.1:0 }\n"
            processes[name] = GatewayProcess(config: try temp.write("\(name).yaml", text))
        }
        processes["proxy"] = GatewayProcess(arguments: ["proxy", "--listen", "127.0.0.1:\(ports["proxy"]!)",
                                                        "--to", "http://127.0.0.1:\(ports["vdab-a"]!)", "--to", "http://127.0.0.1:\(ports["vdab-b"]!)"],
                                            marker: "proxy listening on ")
        self.processes = processes
    }

    func start(_ names: String...) async throws { for name in names { try await processes[name]!.start() } }
    func kill(_ name: String) { processes[name]!.kill() }
    func stopAll() { for p in processes.values { p.kill() } }

    /// Le Forem's export of `count` generated vacancies, and Actiris's of `count` more, in their
    /// outgoing folders as their back offices put them.
    func export(forem count: Int, actiris others: Int) throws -> Set<String> {
        let foremOut = temp.path("forem/outgoing/vacancy"), actirisOut = temp.path("actiris/outgoing/vacancy")
        for folder in [foremOut, actirisOut] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        _ = FileManager.default.createFile(atPath: foremOut + "/.export.xml", contents: nil)
        var handle = try #require(FileHandle(forWritingAtPath: foremOut + "/.export.xml"))
        var vacancies = SyntheticVacancies(taxonomy: Translation.taxonomy, seed: 50_000)
        vacancies.writeForem(count: count, to: ByteWriter(handle: handle))
        try handle.close()
        // Actiris's, in Actiris's own format, from generated canonical records.
        let format = try #require(try Project.mappings.formatCatalog().format("actiris", type: .vacancy))
        _ = FileManager.default.createFile(atPath: actirisOut + "/.export.json", contents: nil)
        handle = try #require(FileHandle(forWritingAtPath: actirisOut + "/.export.json"))
        let out = ByteWriter(handle: handle)
        let writer = try format.writing(out, taxonomy: Translation.taxonomy, envelope: EnvelopeFields(receiver: .vdab, batchId: "export"))
        try writer.begin(sender: .actiris, created: Date())
        var generator = SyntheticRecords(seed: 7, taxonomy: Translation.taxonomy, year: 2026)
        var ids = Set((0..<count).map { "FO-2019-\($0)" })
        for i in 0..<others {
            let v = generator.vacancy(origin: .actiris, id: "AC-\(i)", localWorkplace: true)
            ids.insert(v.id.rawValue)
            _ = writer.write(.vacancy(v))
        }
        writer.end()
        out.flush()
        try handle.close()
        try FileManager.default.moveItem(atPath: foremOut + "/.export.xml", toPath: foremOut + "/export.xml")
        try FileManager.default.moveItem(atPath: actirisOut + "/.export.json", toPath: actirisOut + "/export.json")
        return ids
    }

    /// Handles on the three ledgers, as an operator's command would open them.
    func ledgers() async throws -> (vdab: any LedgerStore, forem: any LedgerStore, actiris: SQLiteStore) {
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        func key(_ agency: String) throws -> PayloadKey { try PayloadKey(material: TemporaryFolder.keyBytes("secrets/\(agency)-payload.key")) }
        return (try await StoreLocation.postgres(vdabDatabase).open(payloadKey: try key("vdab"), lease: Lease(replica: "test"), logger: quiet),
                try await StoreLocation.postgres(foremDatabase).open(payloadKey: try key("forem"), lease: Lease(replica: "test"), logger: quiet),
                try SQLiteStore(path: temp.path("actiris/ledger.sqlite"), payloadKey: try key("actiris")))
    }

    /// Every record id in VDAB's drop folder (shared by its replicas), each as often as delivered.
    func delivered() throws -> [String] {
        let folder = temp.path("vdab/incoming")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return try names.filter { !$0.hasPrefix(".") }.flatMap { name in
            try Translation.records(try LocalFiles.bytes(folder + "/" + name), format: "vdab", .vacancy).map(\.id.rawValue)
        }
    }
}

@Suite("Several replicas of one gateway on one PostgreSQL ledger", .bounded,
       .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"),
       .enabled(if: TestPostgres.url != nil, TestPostgres.skipMessage))
struct ReplicaGatewayTests {
    @Test("50,000 records through two replicas of each side at once, a replica of each killed and restarted twice: every record delivered once, every batch stored once",
          .timeLimit(.minutes(10)))
    func killedReplicas() async throws {
        let setup = try await ReplicaSetup()
        let expected = try setup.export(forem: 30_000, actiris: 20_000)
        #expect(expected.count == 50_000)
        try await setup.start("vdab-a", "vdab-b", "proxy", "forem-a", "forem-b", "actiris")
        defer { setup.stopAll() }
        let (vdab, forem, actiris) = try await setup.ledgers()
        let started = ContinuousClock.now

        // Kill a replica of each side while records are on their way: a VDAB replica, and whichever
        // of Le Forem's holds the lane to VDAB (or, when no batch is in flight, the other one), twice.
        // The second time, the killed sender stays down until the other has taken its batches over
        // (its lease run out) and sent one; the first time it comes back after 2 s.
        var kills: [String] = []
        for (round, threshold) in [8_000, 26_000].enumerated() {
            let deadline = ContinuousClock.now + .seconds(240)
            while try await vdab.count("SELECT COUNT(*) FROM received_record") < threshold {
                guard ContinuousClock.now < deadline else { Issue.record("VDAB never held \(threshold) records"); return }
                try await Task.sleep(for: .milliseconds(100))
            }
            let receiver = round == 0 ? "vdab-a" : "vdab-b"
            // The lane's holder: the replica of a batch in flight, else the one that sent last (a
            // replica that holds the lane takes the next batch at once, and a replica restarted
            // takes back what its predecessor held, so the lane stays with one while it has work).
            let sending = try await forem.rows("SELECT lease_owner FROM batch WHERE direction = 'out' AND state = 'sending' LIMIT 1", [])
            let lastSent = try await forem.rows("SELECT replica FROM attempt ORDER BY at DESC LIMIT 1", [])
            let holder = (sending.first?.first ?? nil) ?? (lastSent.first?.first ?? nil)
            let sender = holder.map { $0.hasPrefix("forem-b#") ? "forem-b" : "forem-a" } ?? (round == 0 ? "forem-a" : "forem-b")
            let other = sender == "forem-a" ? "forem-b" : "forem-a"
            let sentByOther = try await forem.count("SELECT COUNT(*) FROM attempt WHERE substr(replica, 1, 8) = ?", [other + "#"])
            setup.kill(receiver)
            setup.kill(sender)
            kills += [receiver, sender]
            try await Task.sleep(for: .seconds(2))
            try await setup.start(receiver)
            if round == 1 {
                let deadline = ContinuousClock.now + .seconds(120)
                while try await forem.count("SELECT COUNT(*) FROM attempt WHERE substr(replica, 1, 8) = ?", [other + "#"]) == sentByOther {
                    guard ContinuousClock.now < deadline else { Issue.record("\(other) never took \(sender)'s lane over"); return }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            try await setup.start(sender)
        }
        let held = try await vdab.count("SELECT COUNT(*) FROM received_record")
        #expect(held < 50_000, "the kills came after everything was received (\(held))")

        // Everything arrives, is stored and delivered; nothing is left to send.
        let deadline = ContinuousClock.now + .seconds(300)
        while true {
            let received = try await vdab.count("SELECT COUNT(*) FROM received_record")
            let undelivered = try await vdab.count("SELECT COUNT(*) FROM batch WHERE direction = 'in' AND delivered_at IS NULL")
            let waiting = try await forem.count("SELECT COUNT(*) FROM batch WHERE direction = 'out' AND state <> 'delivered'")
                + actiris.count("SELECT COUNT(*) FROM batch WHERE direction = 'out' AND state <> 'delivered'")
            let picked = try await forem.count("SELECT COUNT(*) FROM pickup WHERE complete = 1") + actiris.count("SELECT COUNT(*) FROM pickup WHERE complete = 1")
            if received == 50_000 && undelivered == 0 && waiting == 0 && picked == 2 { break }
            guard ContinuousClock.now < deadline else {
                Issue.record("not done: \(received) received, \(undelivered) undelivered, \(waiting) waiting to be sent, \(picked) documents picked up")
                return
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let elapsed = ContinuousClock.now - started

        // Every record in VDAB's back office exactly once.
        let delivered = try setup.delivered()
        #expect(delivered.count == 50_000, "\(delivered.count) records delivered")
        #expect(Set(delivered) == expected, "records delivered twice: \(delivered.count - Set(delivered).count); missing: \(expected.subtracting(delivered).count)")

        // Every batch made once (one pick-up per document, whichever replica did it), stored once at
        // VDAB with the body it was sent with, and each record version taken in once.
        let foremBatches = try await forem.count("SELECT COUNT(*) FROM batch WHERE direction = 'out'")
        let actirisBatches = try await actiris.count("SELECT COUNT(*) FROM batch WHERE direction = 'out'")
        #expect(foremBatches == 60 && actirisBatches == 40, "Le Forem made \(foremBatches) batches, Actiris \(actirisBatches)")
        let sent = Set(try await forem.column("SELECT batch_id || ' ' || body_sha256 FROM batch WHERE direction = 'out'")
                       + actiris.column("SELECT batch_id || ' ' || body_sha256 FROM batch WHERE direction = 'out'"))
        let stored = try await vdab.column("SELECT batch_id || ' ' || body_sha256 FROM batch WHERE direction = 'in'")
        #expect(stored.count == 100 && Set(stored) == sent)
        #expect(try await vdab.count("SELECT COUNT(*) FROM record") == 50_000)
        #expect(try await vdab.count("SELECT COUNT(*) FROM batch_record WHERE outcome = 'accepted'") == 50_000)
        #expect(try await vdab.count("SELECT SUM(records) FROM flow_month") == 50_000)
        // Every batch sent once: one attempt answered with its receipt, whichever replica made it (a
        // batch is in flight from one replica at a time). Attempts that did not end so — a timeout
        // under load, a receiver killed mid-batch — were retried; one cut short by a killed sender
        // left no answer, and its batch was taken over.
        for ledger in [forem, actiris as any LedgerStore] {
            #expect(try await ledger.count("""
                SELECT COUNT(*) FROM batch b WHERE b.direction = 'out'
                  AND (SELECT COUNT(*) FROM attempt a WHERE a.batch_id = b.batch_id AND a.outcome = 'delivered') <> 1
                """) == 0)
        }
        let foremAttempts = try await forem.count("SELECT SUM(attempts) FROM batch WHERE direction = 'out'")
        let actirisAttempts = try await actiris.count("SELECT SUM(attempts) FROM batch WHERE direction = 'out'")
        let again = (foremAttempts - 60) + (actirisAttempts - 40)
        // Both VDAB replicas took batches in (through the proxy), and both Le Forem replicas sent.
        let receivers = Set(try await vdab.column("SELECT DISTINCT substr(received_by, 1, 6) FROM batch WHERE direction = 'in'").compactMap { $0 })
        #expect(receivers == ["vdab-a", "vdab-b"], "\(receivers)")
        let senders = Set(try await forem.column("SELECT DISTINCT substr(replica, 1, 7) FROM attempt").compactMap { $0 })
        #expect(senders == ["forem-a", "forem-b"], "\(senders)")
        print("replicas: 50,000 records, kills \(kills.joined(separator: ", ")), \(again) attempts beyond one per batch, \(elapsed)")
    }
}
