import Foundation
import Ledger
import Taxonomy

/// Times loading the taxonomy in force, three ways, in one run: from the shipped mappings, from
/// France Travail's official CSV files, and from the SQLite store after an import.
public struct TaxonomyBenchmark {
    public var romeV3: String
    public var romeV4Folder: String
    public var runs: Int

    public init(romeV3: String, romeV4Folder: String, runs: Int) {
        self.romeV3 = romeV3
        self.romeV4Folder = romeV4Folder
        self.runs = runs
    }

    public struct Figure: Sendable {
        public var name: String
        public var minimumMilliseconds: Double
        public var medianMilliseconds: Double
        public var detail: String
    }

    public func run(mappings: MappingsFolder, scratch: String) async throws -> [Figure] {
        let storePath = LocalFiles.join(scratch, "bench.sqlite")
        let store = try SQLiteStore(path: storePath)
        let shipped = try mappings.shippedTaxonomy()
        try await store.replaceImportedTaxonomy(try TaxonomyImport(romeV3: romeV3, romeV4Folder: romeV4Folder).prepare(over: nil, shipped: shipped).0)

        var figures: [Figure] = []
        figures.append(try measure("shipped mappings (mappings/taxonomy) → Taxonomy") {
            let t = try Taxonomy(shipped: try mappings.shippedTaxonomy(), imported: nil)
            return "\(t.nodes.count) tree codes, \(t.appellations.count) appellations"
        })
        figures.append(try measure("official CSV files (v3 + v4) → Taxonomy") {
            let imported = try TaxonomyImport(romeV3: romeV3, romeV4Folder: romeV4Folder).prepare(over: nil, shipped: try mappings.shippedTaxonomy()).0
            let t = try Taxonomy(shipped: try mappings.shippedTaxonomy(), imported: imported)
            return "\(t.appellations.count) v3 appellations, \(t.rome4Codes.count) v4 codes, \(t.rome4Appellations.count) v4 appellations"
        })
        // Timed in a loop of its own, not through an async closure: Swift 6.3's release build
        // crashes (LLVM's coroutine splitting) on an async throwing closure passed to `measure`.
        var times: [Double] = []
        var detail = ""
        for _ in 0..<max(1, runs) {
            let start = ContinuousClock.now
            let t = try await TaxonomyInForce.load(mappings: mappings, storePath: storePath)
            times.append(Self.milliseconds(since: start))
            detail = "\(t.appellations.count) v3 appellations, \(t.rome4Codes.count) v4 codes, \(t.rome4Appellations.count) v4 appellations"
        }
        figures.append(Self.figure("SQLite store (after import) → Taxonomy", times: times, detail: detail))
        return figures
    }

    private func measure(_ name: String, _ body: () throws -> String) throws -> Figure {
        var times: [Double] = []
        var detail = ""
        for _ in 0..<max(1, runs) {
            let start = ContinuousClock.now
            detail = try body()
            times.append(Self.milliseconds(since: start))
        }
        return Self.figure(name, times: times, detail: detail)
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    private static func figure(_ name: String, times: [Double], detail: String) -> Figure {
        let sorted = times.sorted()
        return Figure(name: name, minimumMilliseconds: sorted[0], medianMilliseconds: sorted[sorted.count / 2], detail: detail)
    }

    /// Peak resident memory of this process, from /proc (Linux); nil elsewhere.
    public static func peakResidentMegabytes() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kb / 1024
    }
}
