import ArgumentParser
import Foundation
import Formats
import Gateway
import Ledger
import Model
import Statistics

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the gateway's speed on this machine (build with -c release first).",
        subcommands: [All.self, Exchange.self, Receive.self, Formats.self, Taxonomy.self, Translate.self, Statistics.self]
    )

    struct Exchange: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A year of vacancies end to end: Le Forem's gateway to VDAB's and Actiris's, three processes on loopback.",
            discussion: """
                Writes an export of N generated Le Forem vacancies into Le Forem's outgoing folder, \
                starts VDAB's and Actiris's gateways, then Le Forem's (`gateway serve`, each its own \
                process, embedded SQLite ledgers in WAL), and times from Le Forem's start until both \
                receivers hold every vacancy in their ledgers and have delivered every batch to their \
                drop folders in their own formats. Le Forem routes every vacancy to both. Prints each \
                process's peak resident memory and CPU time. --compare-synchronous runs it again with \
                the other commit policy (full: each commit flushed to disk before the receipt; normal).

                Example (the figures in BENCHMARKS.md):
                  swift build -c release && .build/release/gateway bench exchange --vacancies 258246 --compare-synchronous
                """)

        @Option(help: "Vacancies in Le Forem's export.") var vacancies = 258_246
        @Option(help: ArgumentHelp("The ledgers' commit policy: full or normal.", valueName: "policy")) var synchronous = "full"
        @Flag(help: "Run a second time with the other commit policy, and print both.") var compareSynchronous = false
        @Option(help: ArgumentHelp("Keep the gateways' folders here (default: a temporary folder, removed).", valueName: "dir")) var folder: String?
        @Option(name: .long, help: ArgumentHelp("The mappings folder.", valueName: "dir")) var mappings: String?

        func validate() throws {
            guard ["full", "normal"].contains(synchronous) else { throw ValidationError("--synchronous is full or normal, not \(synchronous)") }
            guard vacancies > 0 else { throw ValidationError("--vacancies is at least 1") }
        }

        func run() async throws {
            #if DEBUG
            print("warning: a debug build; figures for BENCHMARKS.md come from `swift build -c release`")
            #endif
            let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
            let root = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("gateway-bench-exchange-\(UUID().uuidString)").path
            defer { if folder == nil { try? FileManager.default.removeItem(atPath: root) } }
            let policies = compareSynchronous ? [synchronous, synchronous == "full" ? "normal" : "full"] : [synchronous]
            var results: [(String, ExchangeBenchmark.Figures)] = []
            for policy in policies {
                let bench = ExchangeBenchmark(executable: me, mappings: try MappingsFolder.locate(explicit: mappings), folder: root + "/" + policy,
                                              vacancies: vacancies, synchronous: policy)
                let figures = try await bench.run { print($0) }
                results.append((policy, figures))
                print("synchronous=\(policy): " + String(format: "%.1f s", figures.seconds)
                      + "; received \(ExchangeBenchmark.receivers.map { "\($0): \(figures.received[$0] ?? 0) in \(figures.batches[$0] ?? 0) batches, \(figures.deliveredFiles[$0] ?? 0) files delivered" }.joined(separator: "; "))")
                print("  process     wall s   user s    sys s   peak MB")
                for (agency, run) in figures.processes {
                    print("  " + agency.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                          + String(format: " %8.1f %8.1f %8.1f %9.0f", run.seconds, run.userSeconds, run.systemSeconds, run.peakMegabytes))
                }
            }
            print("vacancies   policy   seconds   records received/s   peak MB (FOREM, VDAB, ACTIRIS)")
            for (policy, f) in results {
                let peaks = [Agency.forem, .vdab, .actiris].map { a in f.processes.first { $0.agency == a }.map { String(format: "%.0f", $0.run.peakMegabytes) } ?? "?" }
                print(String(format: "%9d   %-6@ %9.1f   %18.0f   ", vacancies, policy, f.seconds, Double(f.received.values.reduce(0, +)) / f.seconds) + peaks.joined(separator: ", "))
            }
            print("command: gateway bench exchange --vacancies \(vacancies) --synchronous \(synchronous)\(compareSynchronous ? " --compare-synchronous" : "")")
        }
    }

    struct Receive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The receive path: one gateway process taking signed batches from concurrent senders over loopback.",
            discussion: """
                Starts VDAB's gateway (`gateway serve`, embedded SQLite ledger in WAL), makes N batches \
                of generated Le Forem vacancies in the exchange profile's JSON, then POSTs them from C \
                concurrent senders (this process, AsyncHTTPClient) and times each POST until its \
                receipt, which the gateway answers after the batch is committed; its records are \
                delivered to the drop folder in VDAB's format before the answer. Prints batches/s, \
                records/s, p50/p99 latency and the gateway's peak memory, for each commit policy asked \
                (--synchronous full,normal) and batch size (--records 100,1000,5000).

                With --postgres URL (a server, through a database its user may connect to and create \
                databases from), the same batches are also received by the gateway on a PostgreSQL \
                ledger, a new database for each run (removed after it): the two stores compared in \
                one run. PostgreSQL commits with synchronous_commit on (the server's default): the \
                receipt follows a commit flushed to its write-ahead log.

                Example (the figures in BENCHMARKS.md):
                  swift build -c release && .build/release/gateway bench receive --batches 100 --records 1000 --senders 4 --synchronous full,normal
                  .build/release/gateway bench receive --records-per-run 50000 --records 1000 --synchronous full \
                      --postgres postgres://gateway@127.0.0.1:5432/postgres
                """)

        @Option(help: "Batches sent in each run.") var batches = 100
        @Option(help: ArgumentHelp("Instead of --batches: as many batches as make this many records in each run.", valueName: "n")) var recordsPerRun: Int?
        @Option(help: ArgumentHelp("Records per batch; a list runs each size.", valueName: "n,n,…")) var records = "1000"
        @Option(help: "Concurrent senders.") var senders = 4
        @Option(help: ArgumentHelp("Commit policies to run: full, normal or both.", valueName: "p,p")) var synchronous = "full,normal"
        @Option(name: .long, help: ArgumentHelp("The mappings folder.", valueName: "dir")) var mappings: String?
        @Option(help: ArgumentHelp("Reuse ledgers filled before: DIR/ledger-<rows>.sqlite (made there if missing).", valueName: "dir"))
        var templates: String?
        @Flag(help: "Instead, time each step of the receive path in this process, on one core, per record.") var phases = false
        @Option(help: ArgumentHelp("Record versions in the gateway's ledger before it starts; a list runs each.", valueName: "n,n,…")) var ledgerRows = "0"
        @Option(help: ArgumentHelp("Write an SVG chart of records/s and peak memory by batch size and by ledger rows.", valueName: "file.svg")) var plot: String?
        @Option(help: ArgumentHelp("Also run each batch size on a PostgreSQL ledger on this server.", valueName: "url")) var postgres: String?
        @Option(name: .customLong("postgres-password-file"), help: ArgumentHelp("An owner-only file holding its password.", valueName: "file"))
        var postgresPasswordFile: String?

        func rowCounts() throws -> [Int] {
            try ledgerRows.split(separator: ",").map { text in
                guard let n = Int(text), n >= 0 else { throw ValidationError("--ledger-rows: \(text) is not a number of rows") }
                return n
            }
        }

        func sizes() throws -> [Int] {
            try records.split(separator: ",").map { text in
                guard let n = Int(text), (1...5_000).contains(n) else { throw ValidationError("--records: \(text) is not a batch size from 1 to 5000") }
                return n
            }
        }

        func validate() throws {
            _ = try sizes()
            _ = try rowCounts()
            for p in synchronous.split(separator: ",") where !["full", "normal"].contains(p) {
                throw ValidationError("--synchronous: \(p) is neither full nor normal")
            }
            guard batches > 0, senders > 0 else { throw ValidationError("--batches and --senders are at least 1") }
        }

        func run() async throws {
            #if DEBUG
            print("warning: a debug build; figures for BENCHMARKS.md come from `swift build -c release`")
            #endif
            let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-bench-receive-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: root) }
            if phases {
                try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
                let steps = try await ReceivePhases(mappings: try MappingsFolder.locate(explicit: mappings), folder: root, batches: batches,
                                                    recordsPerBatch: try sizes()[0]).run()
                for (step, us) in steps { print(step.padding(toLength: 48, withPad: " ", startingAt: 0) + String(format: " %8.1f µs per record", us)) }
                print("command: gateway bench receive --phases --batches \(batches) --records \(records)")
                return
            }
            let server = try postgres.map { url in
                try PostgresSettings(url: url, password: try postgresPasswordFile.map(LocalFiles.secret))
            }
            print("store       ledger rows  records/batch  policy  senders  batches/s  records/s   p50 ms   p99 ms   body MB   gateway peak MB  gateway CPU s")
            var runs: [(rows: Int, size: Int, policy: String, figures: ReceiveBenchmark.Figures)] = []
            let policies = synchronous.split(separator: ",").map(String.init)
            // Every batch size and policy on a new ledger (and on PostgreSQL); each larger ledger with the first size and policy.
            var plan: [(rows: Int, size: Int, policy: String)] = []
            for size in try sizes() {
                for policy in policies { plan.append((0, size, policy)) }
                if server != nil { plan.append((0, size, "postgres")) }
            }
            let ledgerSize = try sizes().contains(1000) ? 1000 : try sizes()[0]
            for rows in try rowCounts() where rows > 0 { plan.append((rows, ledgerSize, policies[0])) }
            var filled: [Int: String] = [:]
            for (rows, size, policy) in plan {
                var template: String?
                if rows > 0 {
                    if filled[rows] == nil {
                        let path = (self.templates ?? root) + "/ledger-\(rows).sqlite"
                        if !FileManager.default.fileExists(atPath: path) {
                            print("filling a ledger template with \(rows) record versions …")
                            try await ReceiveBenchmark.makeLedgerTemplate(rows: rows, at: path)
                        }
                        filled[rows] = path
                    }
                    template = filled[rows]
                }
                let count = recordsPerRun.map { max(1, $0 / size) } ?? batches
                var bench = ReceiveBenchmark(executable: me, mappings: try MappingsFolder.locate(explicit: mappings),
                                             folder: root + "/\(rows)-\(size)-\(policy)", batches: count, recordsPerBatch: size, senders: senders,
                                             synchronous: policy == "postgres" ? "full" : policy, ledgerTemplate: template)
                let database = "bench_receive_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
                if policy == "postgres", let server { bench.postgres = try await PostgresStore.createDatabase(database, on: server) }
                let f: ReceiveBenchmark.Figures
                do { f = try await bench.run() } catch {
                    if policy == "postgres", let server { try? await PostgresStore.dropDatabase(database, on: server) }
                    throw error
                }
                if policy == "postgres", let server { try? await PostgresStore.dropDatabase(database, on: server) }
                guard f.stored == count * size else { throw ValidationError("the gateway stored \(f.stored) records, not the \(count * size) sent") }
                try? FileManager.default.removeItem(atPath: root + "/\(rows)-\(size)-\(policy)")
                runs.append((rows, size, policy, f))
                print((policy == "postgres" ? "PostgreSQL" : "SQLite").padding(toLength: 10, withPad: " ", startingAt: 0)
                      + String(format: "  %11d  %13d  %-6@  %7d  %9.1f  %9.0f  %7.1f  %7.1f  %8.2f  %16.0f  %13.1f",
                             rows, size, policy == "postgres" ? "commit" : policy, senders,
                             f.batchesPerSecond, f.recordsPerSecond, f.percentile(0.5), f.percentile(0.99), f.bodyMegabytes,
                             f.receiver.peakMegabytes, f.receiver.userSeconds + f.receiver.systemSeconds))
            }
            if let plot {
                let firstRows = 0, firstSize = ledgerSize
                func values(_ pick: (ReceiveBenchmark.Figures) -> Double, rows: Int? = nil, size: Int? = nil, policy: String) -> [Double] {
                    runs.filter { (rows == nil || $0.rows == rows!) && (size == nil || $0.size == size!) && $0.policy == policy }.map { pick($0.figures) }
                }
                var panels = [
                    ScalingChart.Panel(title: "Receive path by batch size", xLabel: "records per batch", yLabel: "records/s", x: try sizes().map(String.init),
                                       series: policies.map { p in ("synchronous=\(p)", values({ $0.recordsPerSecond }, rows: firstRows, policy: p)) }),
                    ScalingChart.Panel(title: "Gateway peak memory by batch size", xLabel: "records per batch", yLabel: "MB", x: try sizes().map(String.init),
                                       series: policies.map { p in ("synchronous=\(p)", values({ $0.receiver.peakMegabytes }, rows: firstRows, policy: p)) }),
                ]
                if try rowCounts().count > 1 {
                    panels.append(ScalingChart.Panel(title: "Receive path by ledger size (\(firstSize)-record batches)", xLabel: "record versions already in the ledger",
                                                     yLabel: "records/s", x: try rowCounts().map { $0 >= 1_000_000 ? "\($0 / 1_000_000)M" : String($0) },
                                                     series: [("synchronous=\(policies[0])", values({ $0.recordsPerSecond }, size: firstSize, policy: policies[0]))]))
                }
                try Data(ScalingChart(panels: panels).svg.utf8).write(to: URL(fileURLWithPath: plot))
                print("chart: \(plot)")
            }
            print("command: gateway bench receive " + (recordsPerRun.map { "--records-per-run \($0)" } ?? "--batches \(batches)") + " --records \(records) --senders \(senders) --synchronous \(synchronous) --ledger-rows \(ledgerRows)"
                  + (plot.map { " --plot \($0)" } ?? "") + (postgres.map { " --postgres \($0)" } ?? ""))
        }
    }

    struct All: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The whole benchmark suite, as BENCHMARKS.md reports it (about 40 minutes, 16 GB of disk).",
            discussion: """
                Runs, one after another: bench formats, bench translate (beside xsltproc), bench \
                receive (batch sizes 100 to 5,000, both commit policies, ledgers of 0, 1M and 10M \
                rows, with the chart), bench stats at 1M and 10M rows, and bench exchange (258,246 \
                vacancies, both commit policies). Each part prints its own figures and command line.
                With --postgres (a server's URL), the receive path and the statistics run on a
                PostgreSQL ledger too, in the same parts, each in a new database removed after it.

                Example:
                  swift build -c release && .build/release/gateway bench all --chart BENCHMARKS-scaling.svg | tee bench.txt
                  .build/release/gateway bench all --postgres postgres://gateway@127.0.0.1:5432/postgres | tee bench.txt
                """)

        @Option(help: ArgumentHelp("Where the scaling chart goes.", valueName: "file.svg")) var chart = "BENCHMARKS-scaling.svg"
        @Option(help: ArgumentHelp("Also measure a PostgreSQL ledger on this server.", valueName: "url")) var postgres: String?
        @Option(help: ArgumentHelp("Where the filled ledgers are kept between parts (removed at the end).", valueName: "dir")) var scratch: String?

        func run() async throws {
            let folder = scratch ?? FileManager.default.temporaryDirectory.appendingPathComponent("gateway-bench-all-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            var info = utsname()
            uname(&info)
            let machine = withUnsafeBytes(of: &info.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB, \(machine); \(Date())")
            func part(_ title: String, _ arguments: [String]) async throws {
                print("\n== \(title): gateway bench \(arguments.joined(separator: " "))")
                var command = try BenchCommand.parseAsRoot(arguments)
                if var asynchronous = command as? any AsyncParsableCommand { try await asynchronous.run() } else { try command.run() }
            }
            try await part("formats", ["formats", "--records", "50000"])
            try await part("translation beside xsltproc", ["translate", "--records", "100000"])
            try await part("receive path and scaling", ["receive", "--records-per-run", "100000", "--records", "100,500,1000,2000,5000", "--senders", "4",
                                                        "--synchronous", "full,normal", "--ledger-rows", "0,1000000,10000000", "--templates", folder,
                                                        "--plot", chart])
            let server = try postgres.map { try PostgresSettings(url: $0) }
            if let postgres {
                try await part("receive path, SQLite and PostgreSQL", ["receive", "--records-per-run", "50000", "--records", "1000,5000", "--senders", "4",
                                                                       "--synchronous", "full", "--postgres", postgres])
            }
            for rows in ["1000000", "10000000"] {
                var arguments = ["stats", "--rows", rows, "--store", folder + "/ledger-\(rows).sqlite"]
                let database = "bench_stats_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
                if let server { arguments += ["--postgres", try await PostgresStore.createDatabase(database, on: server).url] }
                do { try await part("statistics at \(rows) rows", arguments) } catch {
                    if let server { try? await PostgresStore.dropDatabase(database, on: server) }
                    throw error
                }
                if let server { try? await PostgresStore.dropDatabase(database, on: server) }
            }
            try await part("end to end", ["exchange", "--vacancies", "258246", "--compare-synchronous"])
        }
    }

    struct Formats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every format's reader and writer, records per second on one core.",
            discussion: """
                For each record type and each format that holds it (the regional formats of \
                mappings/formats and the exchange profile's two forms), writes N generated records \
                (valid, with accents, line breaks and emoji in their text) and reads them back, \
                checking each against the model and the taxonomy, in this process on one core.
                `gateway bench translate` compares a whole translation with xsltproc.

                Example (the figures in BENCHMARKS.md):
                  swift build -c release && .build/release/gateway bench formats --records 50000
                """)

        @Option(help: "Records of each type.") var records = 50_000
        @Option(name: .long, help: ArgumentHelp("The mappings folder.", valueName: "dir")) var mappings: String?

        func run() throws {
            #if DEBUG
            print("warning: a debug build; figures for BENCHMARKS.md come from `swift build -c release`")
            #endif
            let figures = try FormatBenchmark(mappings: try MappingsFolder.locate(explicit: mappings), records: records).run()
            print("type     format          MB     write rec/s    read rec/s   read back")
            for f in figures {
                print(f.recordType.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + " " + f.format.padding(toLength: 14, withPad: " ", startingAt: 0)
                      + String(format: "%6.1f  %13.0f  %12.0f   %9d", f.megabytes, f.writePerSecond, f.readPerSecond, f.readBack))
            }
            print("command: gateway bench formats --records \(records)")
        }
    }

    struct Translate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Translate generated Le Forem vacancies to VDAB JSON, beside xsltproc doing the same field mapping.",
            discussion: """
                Generates N Le Forem vacancies (ISO-8859-1 XML, deterministic), then runs, each as a \
                child process measured alike (wall time, peak resident memory): `gateway translate \
                --from forem --to vdab` (reads, checks every record against the model and the \
                taxonomy, writes) and `xsltproc` with fixtures/bench/forem-vacancy-to-vdab.xsl (the \
                field mapping only). Both run on one core.

                Example (the figures in BENCHMARKS.md):
                  swift build -c release && .build/release/gateway bench translate --records 100000
                """)

        @Option(help: "Vacancies to generate.") var records = 100_000
        @Option(name: .long, help: ArgumentHelp("The mappings folder.", valueName: "dir")) var mappings: String?

        func run() throws {
            #if DEBUG
            print("warning: a debug build; figures for BENCHMARKS.md come from `swift build -c release`")
            #endif
            let folder = try MappingsFolder.locate(explicit: mappings)
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-bench-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let input = scratch + "/forem.xml"
            _ = FileManager.default.createFile(atPath: input, contents: nil)
            let handle = FileHandle(forWritingAtPath: input)!
            var generator = SyntheticVacancies(taxonomy: try TaxonomyInForce.shipped(mappings: folder))
            generator.writeForem(count: records, to: ByteWriter(handle: handle))
            try handle.close()
            let size = (try FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? 0
            print("input: \(records) Le Forem vacancies, \(size / 1_000_000) MB of ISO-8859-1 XML")

            let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
            let ours = try MeasuredRun.run(me, ["translate", "--from", "forem", "--to", "vdab", input, "-o", scratch + "/ours.json",
                                                "--mappings", folder.path, "--store", scratch + "/none.sqlite"])
            guard ours.status == 0 else { throw GatewayError("gateway translate failed with status \(ours.status)") }
            let xslt = LocalFiles.join(folder.path, "../fixtures/bench/forem-vacancy-to-vdab.xsl")
            var rows = [("gateway translate forem → vdab (checks + taxonomy)", ours)]
            if FileManager.default.fileExists(atPath: "/usr/bin/xsltproc") {
                let theirs = try MeasuredRun.run("/usr/bin/xsltproc", [xslt, input], stdout: scratch + "/xslt.json")
                rows.append(("xsltproc, same field mapping (no checks)", theirs))
            } else {
                print("xsltproc is not installed (apt-get install xsltproc): only the gateway was measured")
            }
            for (name, run) in rows {
                print(name.padding(toLength: 54, withPad: " ", startingAt: 0)
                      + String(format: " %7.2f s  %9.0f records/s  peak %6.0f MB", run.seconds, Double(records) / run.seconds, run.peakMegabytes))
            }
            print("command: gateway bench translate --records \(records)")
        }
    }

    struct Taxonomy: AsyncParsableCommand {
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

        func run() async throws {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-bench-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            #if DEBUG
            print("warning: a debug build; figures for BENCHMARKS.md come from `swift build -c release`")
            #endif
            let figures = try await TaxonomyBenchmark(romeV3: romeV3, romeV4Folder: romeV4Dir, runs: runs)
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

    struct Statistics: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Time the statistics' two common questions on a large ledger: from the monthly counts, and from the record rows; SQLite, and PostgreSQL with --postgres.",
            discussion: """
                Fills a new SQLite ledger with N generated record versions received over ten years \
                (2015-2024, four peers, one in five a second version, one in ten a trainee record), \
                with the statistics tables made from them, then times, warm, the trainee matrix of \
                2019 and the vacancies of 2019 by month and pair, each counted as distinct records \
                and as messages: as the gateway answers them (the monthly counts kept at receiving) \
                and by the plain query over the record rows (the alternative), checking both give \
                the same table. --store keeps the ledger (filled if new, reused if not).

                With --postgres, the same rows go into that PostgreSQL database (which must be empty \
                or hold this benchmark's rows from an earlier run) and the same questions are timed \
                there, in the same run, and checked to give the same answers as SQLite.

                Example (the figures in BENCHMARKS.md):
                  swift build -c release && .build/release/gateway bench stats --rows 10000000 \
                      --postgres postgres://gateway@127.0.0.1:5432/bench_stats
                """)

        @Option(help: "Record versions in the ledger.") var rows = 10_000_000
        @Option(help: "Timed runs of each question from the monthly counts (after 3 warm-up runs).") var runs = 50
        @Option(help: "Timed runs of each plain query over the rows (after 1 warm-up run).") var plainRuns = 5
        @Option(help: ArgumentHelp("Keep the SQLite ledger here (default: a temporary file, removed at the end).", valueName: "file")) var store: String?
        @Option(help: ArgumentHelp("Also time a PostgreSQL ledger at this URL.", valueName: "url")) var postgres: String?
        @Option(name: .customLong("postgres-password-file"), help: ArgumentHelp("An owner-only file holding its password.", valueName: "file"))
        var postgresPasswordFile: String?

        func run() async throws {
            #if DEBUG
            print("warning: a debug build; figures for BENCHMARKS.md come from `swift build -c release`")
            #endif
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-bench-stats-\(UUID().uuidString)").path
            let path = store ?? scratch + "/ledger.sqlite"
            defer { if store == nil { try? FileManager.default.removeItem(atPath: scratch) } }
            var ledgers: [(String, any LedgerStore)] = [("SQLite", try SQLiteStore(path: path))]
            if let postgres {
                var locations = try Locations.parse(["--store", postgres] + (postgresPasswordFile.map { ["--store-password-file", $0] } ?? []))
                locations.mappings = nil
                ledgers.append(("PostgreSQL", try await locations.openStore()))
            }
            let questions: [(String, FlowQuery)] = [
                ("trainee matrix 2019, records", try FlowQuery(subject: .trainees, by: [.origin, .training], year: 2019)),
                ("trainee matrix 2019, messages", try FlowQuery(subject: .trainees, by: [.origin, .training], year: 2019, mode: .messages)),
                ("vacancies 2019 by month and pair, records", try FlowQuery(subject: .vacancies, by: [.month, .origin, .destination], year: 2019)),
                ("vacancies 2019 by month and pair, messages", try FlowQuery(subject: .vacancies, by: [.month, .origin, .destination], year: 2019, mode: .messages)),
            ]
            var answers: [String: StatisticsTable] = [:]
            for (name, ledger) in ledgers {
                let held = try await ledger.count("SELECT COUNT(*) FROM record")
                if held == 0 {
                    print("filling \(ledger.name) with \(rows) record versions …")
                    let started = ContinuousClock.now
                    try await ledger.fillForBenchmark(rows: rows, firstYear: 2015, years: 10)
                    print(String(format: "filled in %.1f s", seconds(ContinuousClock.now - started)))
                } else {
                    print("reusing \(ledger.name): \(held) record versions")
                }
                if name == "SQLite" {
                    let size = [path, path + "-wal"].map { (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0 }.reduce(0, +) / 1_000_000
                    print("ledger: \(size) MB; SQLite \(try await ledger.rows("SELECT sqlite_version()", []).first?.first.flatMap { $0 } ?? "?"), WAL")
                } else {
                    print("ledger: \(try await ledger.rows("SELECT pg_size_pretty(pg_database_size(current_database())), version()", []).first.map { "\($0[0] ?? "?"); \($0[1] ?? "?")" } ?? "?")")
                }
                let statistics = FlowStatistics(store: ledger, agency: .forem)
                print("\(name): question".padding(toLength: 56, withPad: " ", startingAt: 0) + "   monthly counts p50 / p95      plain query p50 / p95    same answer")
                for (question, query) in questions {
                    let fast = try await time(runs, warmUp: 3) { try await statistics.answer(query, monthly: true) }
                    let slow = try await time(plainRuns, warmUp: 1) { try await statistics.answer(query, monthly: false) }
                    let agrees = fast.answer == slow.answer && (answers[question].map { $0 == fast.answer } ?? true)
                    answers[question] = answers[question] ?? fast.answer
                    print(question.padding(toLength: 56, withPad: " ", startingAt: 0)
                          + String(format: "   %8.2f / %8.2f ms     %9.1f / %9.1f ms    ", fast.p50, fast.p95, slow.p50, slow.p95)
                          + (agrees ? "yes (\(fast.answer.total))" : "NO"))
                }
            }
            print("command: gateway bench stats --rows \(rows) --runs \(runs) --plain-runs \(plainRuns)" + (postgres.map { " --postgres \($0)" } ?? ""))
        }

        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

        func time(_ runs: Int, warmUp: Int, _ body: () async throws -> StatisticsTable) async throws -> (p50: Double, p95: Double, answer: StatisticsTable) {
            var answer = try await body()
            for _ in 1..<max(1, warmUp) { answer = try await body() }
            var times: [Double] = []
            for _ in 0..<max(1, runs) {
                let started = ContinuousClock.now
                answer = try await body()
                times.append(seconds(ContinuousClock.now - started) * 1000)
            }
            times.sort()
            func percentile(_ p: Double) -> Double { times[min(times.count - 1, Int((Double(times.count) * p).rounded(.up)) - 1)] }
            return (percentile(0.5), percentile(0.95), answer)
        }
    }
}
