import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Ledger
import Model
import Synchronization

/// The receive path alone: one gateway (`gateway serve`, its own process) taking signed batches of
/// generated vacancies from concurrent senders over loopback HTTP — each batch checked, stored in the
/// ledger, its receipt answered after the commit, its records delivered to the drop folder. The
/// batches are made before the clock starts; each POST's time to its receipt is one latency.
public struct ReceiveBenchmark: Sendable {
    public var executable: String
    public var mappings: MappingsFolder
    public var folder: String
    public var batches: Int
    public var recordsPerBatch: Int
    public var senders: Int
    public var synchronous: String
    /// A ledger copied in as the receiver's before it starts (how the receive path grows with the
    /// ledger); nil: a new one.
    public var ledgerTemplate: String?
    /// The receiver's ledger in this (empty) PostgreSQL database instead of a SQLite file.
    public var postgres: PostgresSettings?

    public init(executable: String, mappings: MappingsFolder, folder: String, batches: Int, recordsPerBatch: Int, senders: Int, synchronous: String,
                ledgerTemplate: String? = nil) {
        self.ledgerTemplate = ledgerTemplate
        self.executable = executable
        self.mappings = mappings
        self.folder = folder
        self.batches = batches
        self.recordsPerBatch = recordsPerBatch
        self.senders = senders
        self.synchronous = synchronous
    }

    public struct Figures: Sendable {
        public var seconds: Double
        public var latencies: [Double]
        public var receiver: MeasuredRun
        public var stored: Int
        public var batchesPerSecond: Double
        public var recordsPerSecond: Double
        public var bodyMegabytes: Double

        /// The latency (ms) below which a share `p` of the batches were answered.
        public func percentile(_ p: Double) -> Double {
            let sorted = latencies.sorted()
            return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))] * 1000
        }
    }

    public func run() async throws -> Figures {
        let gateways = try BenchmarkGateways(executable: executable, folder: folder, mappings: mappings, synchronous: synchronous, agencies: [.vdab],
                                             postgres: postgres.map { [.vdab: $0] } ?? [:])
        let key = try gateways.makeKey(from: .forem, to: .vdab)
        try gateways.write(.vdab, configuration: gateways.receiverConfiguration(.vdab, from: .forem) + "receiving: { capacity: \(max(16, senders)) }\n")

        // The batches, made before the clock starts.
        let taxonomy = try TaxonomyInForce.shipped(mappings: mappings)
        var generator = SyntheticRecords(seed: 9, taxonomy: taxonomy, year: 2019)
        var made: [(id: String, body: [UInt8])] = []
        for b in 0..<batches {
            let records = (0..<recordsPerBatch).map { i in
                CanonicalRecord.vacancy(generator.vacancy(origin: .forem, id: "FO-BENCH-\(b)-\(i)", localWorkplace: true))
            }
            let id = UUID().uuidString.lowercased()
            let (body, refused) = try PickupPlan.encode(records, for: .vdab, as: .json, id: id, sender: .forem,
                                                        taxonomy: taxonomy, now: Date())
            guard refused.isEmpty else { throw GatewayError("generated records the profile refuses: \(refused.values.first ?? "")") }
            made.append((id, body))
        }

        if let ledgerTemplate { try FileManager.default.copyItem(atPath: ledgerTemplate, toPath: gateways.path(.vdab, "ledger.sqlite")) }
        let child = try gateways.serve(.vdab)
        var running: ChildProcess? = child
        defer { running?.signal(SIGKILL) }
        try await gateways.waitForHealth(.vdab, child: child)
        let client = PeerClient(timeout: .seconds(120))
        let signer = RequestSignature(key: key)
        let url = gateways.url(.vdab)
        let next = Counter()
        let bodies = made, recordsPerBatch = self.recordsPerBatch
        let started = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<senders {
                group.addTask {
                    var mine: [Double] = []
                    while let i = next.take(below: bodies.count) {
                        let sent = ContinuousClock.now
                        let answer = await client.deliver(body: bodies[i].body, form: .json, to: url, as: .forem, signer: signer, now: Date(),
                                                          batchId: bodies[i].id, recordCount: recordsPerBatch)
                        guard case .receipt(let receipt) = answer, receipt.counts.accepted == recordsPerBatch else {
                            throw GatewayError("batch \(i) was not accepted whole: \(answer)")
                        }
                        mine.append(seconds(ContinuousClock.now - sent))
                    }
                    return mine
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all
        }
        let elapsed = seconds(ContinuousClock.now - started)
        let stored = try await gateways.ledger(.vdab).count("SELECT COUNT(*) FROM received_record WHERE record_id LIKE 'FO-BENCH-%'")
        child.signal(SIGTERM)
        let run = child.wait()
        running = nil
        return Figures(seconds: elapsed, latencies: latencies, receiver: run, stored: stored, batchesPerSecond: Double(batches) / elapsed,
                       recordsPerSecond: Double(batches * recordsPerBatch) / elapsed,
                       bodyMegabytes: Double(bodies.map(\.body.count).reduce(0, +)) / Double(max(1, bodies.count)) / 1_000_000)
    }
}

extension ReceiveBenchmark {

    /// A ledger of `rows` generated record versions at `path`, checkpointed into one file, to copy.
    public static func makeLedgerTemplate(rows: Int, at path: String) async throws {
        let store = try SQLiteStore(path: path)
        try await store.fillForBenchmark(rows: rows, firstYear: 2015, years: 10)
        try await store.checkpoint()
    }
}

/// Hands out 0, 1, 2, … to concurrent takers.
final class Counter: Sendable {
    private let value = Mutex(0)
    func take(below bound: Int) -> Int? {
        value.withLock { n in
            guard n < bound else { return nil }
            defer { n += 1 }
            return n
        }
    }
}

/// The receive path's steps one after another in this process, on one core, for the same batches:
/// where a received record's time goes.
public struct ReceivePhases: Sendable {
    public var mappings: MappingsFolder
    public var folder: String
    public var batches: Int
    public var recordsPerBatch: Int

    public init(mappings: MappingsFolder, folder: String, batches: Int, recordsPerBatch: Int) {
        self.mappings = mappings
        self.folder = folder
        self.batches = batches
        self.recordsPerBatch = recordsPerBatch
    }

    /// Microseconds per record of each step.
    public func run() async throws -> [(step: String, microseconds: Double)] {
        let taxonomy = try TaxonomyInForce.shipped(mappings: mappings)
        var generator = SyntheticRecords(seed: 9, taxonomy: taxonomy, year: 2019)
        var bodies: [[UInt8]] = []
        for b in 0..<batches {
            let records = (0..<recordsPerBatch).map { i in CanonicalRecord.vacancy(generator.vacancy(origin: .forem, id: "FO-P-\(b)-\(i)", localWorkplace: true)) }
            bodies.append(try PickupPlan.encode(records, for: .vdab, as: .json, id: UUID().uuidString.lowercased(), sender: .forem, taxonomy: taxonomy, now: Date()).body)
        }
        let store = try SQLiteStore(path: LocalFiles.join(folder, "ledger.sqlite"))
        let catalog = try mappings.formatCatalog()
        var times: [String: Duration] = [:]
        func timed<T>(_ step: String, _ body: () throws -> T) rethrows -> T {
            let start = ContinuousClock.now
            defer { times[step, default: .zero] += ContinuousClock.now - start }
            return try body()
        }
        for body in bodies {
            let batch = try timed("read and check (JSON, model, taxonomy)") { try ExchangeFormat.readBatch(body, form: .json, taxonomy: taxonomy) }
            _ = timed("content digests") { batch.records.map { $0.record?.contentDigest } }
            let incoming = IncomingBatch(batchId: batch.envelope["batchId"]!, sender: .forem, recordType: .vacancy, bodySha256: sha256Hex(body),
                                         receivedAt: Date(), records: batch.records, body: body, form: .json)
            let start = ContinuousClock.now
            _ = try await store.receive(incoming)
            times["ledger transaction (digests again, commit)", default: .zero] += ContinuousClock.now - start
            try timed("VDAB's format, written") {
                let out = ByteWriter()
                let writer = try catalog.format("vdab", type: .vacancy)!.writing(out, taxonomy: taxonomy, envelope: EnvelopeFields(receiver: .vdab))
                try writer.begin(sender: .forem, created: Date())
                for d in batch.records { if let r = d.record { _ = writer.write(r) } }
                writer.end()
                out.flush()
            }
        }
        let n = Double(batches * recordsPerBatch)
        return times.map { ($0.key, seconds($0.value) * 1e6 / n) }.sorted { $0.step < $1.step }
    }
}
