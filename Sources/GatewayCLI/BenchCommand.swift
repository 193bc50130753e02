import ArgumentParser
import Foundation
import Gateway

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the gateway's speed on this machine (build with -c release first).",
        subcommands: [Taxonomy.self]
    )

    struct Taxonomy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time loading the full taxonomy from the shipped mappings, the official CSV files and the SQLite store.",
            discussion: """
                Example (the figures in BENCHMARKS.md):
                  swift build -c release
                  .build/release/gateway bench taxonomy --rome-v3 ../shared/data/rome-v3/arbo_rome_ogr_202107.csv \\
                      --rome-v4-dir ../shared/data/rome-v4 --runs 20
                """)

        @Option(name: .customLong("rome-v3"), help: ArgumentHelp("The ROME v3 tree file.", valueName: "file")) var romeV3: String
        @Option(name: .customLong("rome-v4-dir"), help: ArgumentHelp("The ROME 4.0 CSV folder.", valueName: "dir")) var romeV4Dir: String
        @Option(help: "Runs of each way; the minimum and median are printed.") var runs = 10
        @Option(name: .long, help: ArgumentHelp("The mappings folder (default as for every command).", valueName: "dir")) var mappings: String?

        func run() throws {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-bench-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            #if DEBUG
            print("warning: a debug build; figures for BENCHMARKS.md come from `swift build -c release`")
            #endif
            let figures = try TaxonomyBenchmark(romeV3: romeV3, romeV4Folder: romeV4Dir, runs: runs)
                .run(mappings: try MappingsFolder.locate(explicit: mappings), scratch: scratch)
            print("taxonomy load, \(runs) runs each, \(ProcessInfo.processInfo.activeProcessorCount) cores")
            for f in figures {
                let name = f.name.padding(toLength: 52, withPad: " ", startingAt: 0)
                print("  \(name)" + String(format: " min %7.1f ms  median %7.1f ms", f.minimumMilliseconds, f.medianMilliseconds) + "   (\(f.detail))")
            }
            if let peak = TaxonomyBenchmark.peakResidentMegabytes() { print(String(format: "  peak resident memory of the run: %.0f MB", peak)) }
            print("command: gateway bench taxonomy --rome-v3 \(romeV3) --rome-v4-dir \(romeV4Dir) --runs \(runs)")
        }
    }
}
