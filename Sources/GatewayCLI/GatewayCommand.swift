import ArgumentParser
import Files
import Foundation
import Gateway
import Logging

@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "The interregional exchange gateway of VDAB, Le Forem, Actiris, ADG and Bruxelles Formation.",
        discussion: """
            Each agency runs one gateway. It translates vacancies and trainee records between the \
            regional formats through the shared ROME v3 / Competent taxonomy, exchanges them with the \
            other agencies' gateways, and keeps a ledger of everything sent and received.

            Start with the taxonomy:
              gateway taxonomy show M1805 --lang nl
              gateway taxonomy resolve --scheme COMPETENT --version 2019 K1306
              gateway taxonomy import --rome-v3 arbo_rome_ogr_202107.csv --rome-v4-dir RefRomeCsv/
            """,
        subcommands: [DemoCommand.self, ServeCommand.self, BatchesCommand.self, RecordsCommand.self, ReconcileCommand.self, OperatorsCommand.self, KeysCommand.self, StatsCommand.self, YearCommand.self, SendCommand.self, ProxyCommand.self, TranslateCommand.self, TaxonomyCommand.self, BenchCommand.self]
    )

    /// As `ParsableCommand.main()`, but a usage error exits with status 2 (the Unix convention the
    /// commands document), not swift-argument-parser's 64.
    static func main() async {
        // Whatever a command writes (ledgers, reports, translations) is its user's alone; `serve`
        // widens it to a configured group (`files.group`).
        PrivateFiles.restrictUmask()
        // No value from outside (a file name, a peer's string) can start a log line of its own.
        LoggingSystem.bootstrap { label in EscapingLogHandler(StreamLogHandler.standardError(label: label)) }
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
