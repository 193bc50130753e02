import ArgumentParser
import Files
import Foundation
import Gateway
import Logging
import Model

@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "The interregional exchange gateway of VDAB, Le Forem, Actiris, ADG and Bruxelles Formation.",
        discussion: """
            Each agency runs one gateway. It translates vacancies and trainee records between the \
            regional formats through the shared ROME v3 / Competent taxonomy, exchanges them with the \
            other agencies' gateways, and keeps a ledger of everything sent and received.

            Start with the demo: the five agencies' gateways on loopback, with a dashboard to sign in to:
              gateway demo --keep-running --folder /tmp/pes-demo
              gateway batches list --config /tmp/pes-demo/vdab.yaml
            Then the taxonomy:
              gateway taxonomy show M1805 --lang nl
              gateway taxonomy resolve --scheme COMPETENT --version 2019 K1306

            Exit status: 0 done; 1 findings (reconcile's differences, a translation with rejected \
            records, a demo or year whose figures do not add up) or a failure; 2 a command line, id, \
            agency or configuration the command cannot use, said with what to do.
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
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
        do {
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            // Past parsing, a usage error (an id, an agency, a date the command could not use) and a
            // fault of a configuration or mapping file (named with its line) say what to do, exit
            // 2, and print no usage: the command line was well formed.
            if let usage = error as? ValidationError {
                FileHandle.standardError.write(Data("gateway: \(usage.message)\n".utf8))
                Foundation.exit(2)
            }
            if let fault = error as? SourceFault {
                FileHandle.standardError.write(Data("gateway: \(fault)\n".utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
