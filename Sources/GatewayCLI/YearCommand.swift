import ArgumentParser
import Foundation
import Gateway

struct YearCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "year",
        abstract: "Run a synthetic year of exchange through the five gateways and set its statistics beside the published figures.",
        discussion: """
            The plan (fixtures/year2019/plan.yaml) gives the figures the agencies published for a \
            year and the traffic mixed in: updates, records changed without a new version \
            (VERSION_CONFLICT), old versions exported again (STALE_VERSION) and batches sent twice \
            (replays). Month by month, each agency's exports are written in its own format and \
            dropped in its outgoing folder; the five gateways of deploy/local pick them up, route, \
            send, receive and deliver them on loopback, with their clocks on the 15th of the \
            month. Then the receiving gateways' statistics (distinct records, and messages) are \
            printed beside each published figure. Exit status 0 when every figure is reproduced.

            The full 2019 plan moves about 330,000 records: build with -c release first.

            Examples:
              gateway year fixtures/year2019/plan.yaml
              gateway year fixtures/year2019/plan.yaml --folder /tmp/pes-2019 --keep-running
            """)

    @Argument(help: ArgumentHelp("The plan (YAML).", valueName: "plan"))
    var plan: String

    @OptionGroup var network: NetworkOptions

    func run() async throws {
        let root = try ProjectFolder.locate(network.project, command: "year")
        let plan: YearPlan
        do { plan = try YearPlan.load(self.plan) } catch {
            FileHandle.standardError.write(Data("gateway year: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let (path, temporary) = try ProjectFolder.workFolder(network.folder, prefix: "pes-year", command: "year")
        defer { if temporary && !network.keepRunning { try? FileManager.default.removeItem(atPath: path) } }
        let started = Date()
        let outcome = try await YearRun(project: root, folder: path, plan: plan) { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }.run()
        print("")
        func line(_ name: String, _ columns: [String]) -> String {
            name.padding(toLength: 52, withPad: " ", startingAt: 0) + columns.map { String(repeating: " ", count: max(1, 10 - $0.count)) + $0 }.joined()
        }
        print(line("figure", ["published", "records", "messages"]))
        for f in outcome.figures {
            let mark = f.published == f.records ? "" : "  differs"
            print(line(f.name, [String(f.published), String(f.records), String(f.messages)]) + mark)
        }
        print("rejected by the receivers: " + (outcome.rejected.isEmpty ? "none" : outcome.rejected.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
              + "; batches replayed: \(outcome.replays)")
        print(String(format: "Done in %.1f s.", Date().timeIntervalSince(started)))
        if network.keepRunning {
            for (agency, url) in outcome.network.urls.sorted(by: { $0.key < $1.key }) { print("  \(agency.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))\(url)") }
            print("Running until Ctrl-C.")
            try await outcome.network.runUntilSignalled()
        } else {
            try await outcome.network.stop()
        }
        if !outcome.succeeded { throw ExitCode(1) }
    }
}
