import Exchange
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

    public init(executable: String, mappings: MappingsFolder, folder: String, batches: Int, recordsPerBatch: Int, senders: Int, synchronous: String) {
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
        let gateways = try BenchmarkGateways(executable: executable, folder: folder, mappings: mappings, synchronous: synchronous, agencies: [.vdab])
        let key = try gateways.makeKey(from: .forem, to: .vdab)
        try gateways.write(.vdab, configuration: gateways.receiverConfiguration(.vdab, from: .forem) + "receiving: { capacity: \(max(16, senders)) }\n")

        // The batches, made before the clock starts.
        let taxonomy = try TaxonomyInForce.load(mappings: mappings, storePath: nil)
        var generator = SyntheticRecords(seed: 9, taxonomy: taxonomy, year: 2019)
        var made: [[UInt8]] = []
        for b in 0..<batches {
            let records = (0..<recordsPerBatch).map { i in
                CanonicalRecord.vacancy(generator.vacancy(origin: .forem, id: "FO-BENCH-\(b)-\(i)", localWorkplace: true))
            }
            let (body, refused) = try PickupPlan.encode(records, for: .vdab, as: .json, id: UUID().uuidString.lowercased(), sender: .forem,
                                                        taxonomy: taxonomy, now: Date())
            guard refused.isEmpty else { throw GatewayError("generated records the profile refuses: \(refused.values.first ?? "")") }
            made.append(body)
        }

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
                        let answer = await client.deliver(body: bodies[i], form: .json, to: url, as: .forem, signer: signer, now: Date())
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
        let stored = try gateways.ledger(.vdab).count("SELECT COUNT(*) FROM received_record")
        child.signal(SIGTERM)
        let run = child.wait()
        running = nil
        return Figures(seconds: elapsed, latencies: latencies, receiver: run, stored: stored, batchesPerSecond: Double(batches) / elapsed,
                       recordsPerSecond: Double(batches * recordsPerBatch) / elapsed,
                       bodyMegabytes: Double(bodies.map(\.count).reduce(0, +)) / Double(max(1, bodies.count)) / 1_000_000)
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
