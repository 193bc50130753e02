import ArgumentParser
import Foundation
import Gateway
import Statistics

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Exchange statistics over what this gateway received: vacancies and trainee flows, as a table, CSV or JSON.",
        discussion: """
            Records are counted once each (agency + id, as their latest version in the window says), so \
            that resubmissions, replays, duplicates and updates never inflate a figure; --messages \
            counts every version received instead. Each answer says the window it covers and whether \
            it is provisional (the current year is still open).

            Vacancies break down by year, quarter, month, day, origin, destination, grand-domain, \
            domain, fiche, region, contract, bottleneck, status; trainee records by year, quarter, \
            month, origin (the referring agency), training, destination, scheme, status, \
            grand-domain, domain, fiche, gender, age-band.

            Examples:
              gateway stats vacancies --config deploy/local/forem.yaml --by year,origin,domain
              gateway stats trainees --config deploy/local/forem.yaml --by origin,training --year 2026 --format csv > flows.csv
            """,
        subcommands: [Vacancies.self, Trainees.self])

    struct Options: ParsableArguments {
        @Option(help: ArgumentHelp("The gateway's configuration (YAML).", valueName: "file")) var config: String
        @Option(help: ArgumentHelp("Dimensions, comma-separated.", valueName: "d1,d2")) var by: String = "origin"
        @Option(help: "Only what was received in this year.") var year: Int?
        @Flag(help: "Count messages (every version received) rather than distinct records.") var messages = false
        @Option(help: "table, csv or json.") var format: String = "table"

        func validate() throws {
            guard ["table", "csv", "json"].contains(format) else { throw ValidationError("--format is table, csv or json") }
            _ = try breakdowns()
        }

        func breakdowns() throws -> [Breakdown] {
            try by.split(separator: ",").map { name in
                guard let d = Breakdown(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--by \(name): not a breakdown (\(Breakdown.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                return d
            }
        }

        func run(_ subject: FlowQuery.Subject) throws {
            let query: FlowQuery
            do { query = try FlowQuery(subject: subject, by: try breakdowns(), year: year, mode: messages ? .messages : .records) } catch let error as StatisticsError {
                FileHandle.standardError.write(Data("gateway stats: \(error)\n".utf8))
                throw ExitCode(2)
            }
            let configuration = try GatewayConfiguration.load(config)
            let table = try FlowStatistics(store: try configuration.openStore(), agency: configuration.agency).answer(query)
            switch format {
            case "csv": FileHandle.standardOutput.write(Data(table.csv.utf8))
            case "json": try printJSON(table)
            default: print(table.text, terminator: "")
            }
        }
    }

    struct Vacancies: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Vacancies received, broken down.")
        @OptionGroup var options: Options
        func run() throws { try options.run(.vacancies) }
    }

    struct Trainees: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Trainee records received, broken down (origin = referring agency).")
        @OptionGroup var options: Options
        func run() throws { try options.run(.trainees) }
    }
}
