import ArgumentParser
import Foundation
import Gateway
import Statistics

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Exchange statistics of this gateway: vacancies, trainee flows and the exchange's health, as a table, CSV or JSON.",
        discussion: """
            Records are counted once each (agency + id): in the period they were first exchanged, as \
            their latest version describes them, so that resubmissions, replays, duplicates and \
            updates never inflate a figure and periods add up; --messages counts every version \
            exchanged instead, in the period it was; --persons counts trainees as persons, each once, \
            through their keyed pseudonym (the ledger never holds who they are). What this gateway received is counted by \
            default; --sent counts what it sent, once a receipt acknowledged it. Each answer says the \
            window it covers, whether it is provisional (the current year is still open) and whether \
            payloads in it were pruned (counts are kept apart and do not change).

            Vacancies break down by year, quarter, month, day, origin, destination, grand-domain, \
            domain, fiche, region, contract, bottleneck, status, outcome; trainee records by year, \
            quarter, month, origin (the referring agency), training, destination, scheme, status, \
            grand-domain, domain, fiche, gender, age-band, outcome. Outcome (accepted, or rejected \
            with its code) goes with periods, origin and destination only: a refused record's other \
            fields are not kept.

            Examples:
              gateway stats vacancies --config deploy/local/forem.yaml --by year,origin,domain
              gateway stats vacancies --config deploy/local/forem.yaml --by month,outcome --year 2019
              gateway stats trainees --config deploy/local/forem.yaml --by origin,training --year 2019 --sent --format csv > flows.csv
              gateway stats health --config deploy/local/forem.yaml --year 2019
            """,
        subcommands: [Vacancies.self, Trainees.self, Health.self])

    struct Options: ParsableArguments {
        @Option(help: ArgumentHelp("The gateway's configuration (YAML).", valueName: "file")) var config: String
        @Option(help: ArgumentHelp("Dimensions, comma-separated.", valueName: "d1,d2")) var by: String = "origin"
        @Option(help: "Only what was received in this year.") var year: Int?
        @Flag(help: "Count messages (every version exchanged) rather than distinct records.") var messages = false
        @Flag(help: "Count persons (trainee records; each person once, through a keyed pseudonym).") var persons = false
        @Flag(help: "Count what this gateway sent (acknowledged by a receipt) rather than what it received.") var sent = false
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

        func run(_ subject: FlowQuery.Subject) async throws {
            let query: FlowQuery
            do { query = try FlowQuery(subject: subject, by: try breakdowns(), year: year, mode: persons ? .persons : messages ? .messages : .records,
                                            direction: sent ? .sent : .received) } catch let error as StatisticsError {
                FileHandle.standardError.write(Data("gateway stats: \(error)\n".utf8))
                throw ExitCode(2)
            }
            let configuration = try GatewayConfiguration.load(config)
            let table: StatisticsTable
            do { table = try await FlowStatistics(store: try await configuration.openStore(), agency: configuration.agency).answer(query) } catch let error as StatisticsError {
                FileHandle.standardError.write(Data("gateway stats: \(error)\n".utf8))
                throw ExitCode(1)
            }
            switch format {
            case "csv": FileHandle.standardOutput.write(Data(table.csv.utf8))
            case "json": try printJSON(table)
            default: print(table.text, terminator: "")
            }
        }
    }

    struct Vacancies: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Vacancies received (or --sent), broken down.")
        @OptionGroup var options: Options
        func run() async throws { try await options.run(.vacancies) }
    }

    struct Trainees: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Trainee records received (or --sent), broken down (origin = referring agency).")
        @OptionGroup var options: Options
        func run() async throws { try await options.run(.trainees) }
    }

    struct Health: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The exchange's health: traffic per peer and day, rejection rates by code, delivery latency, retries, resubmissions.")
        @Option(help: ArgumentHelp("The gateway's configuration (YAML).", valueName: "file")) var config: String
        @Option(help: "Only this year.") var year: Int?
        @Option(help: "table or json.") var format: String = "table"

        func validate() throws {
            guard ["table", "json"].contains(format) else { throw ValidationError("--format is table or json (health is several tables; JSON holds them all)") }
        }

        func run() async throws {
            let configuration = try GatewayConfiguration.load(config)
            let report = try await HealthStatistics(store: try await configuration.openStore()).answer(year: year)
            if format == "json" { return try printJSON(report) }
            print("exchange health, \(report.window)" + (report.provisional ? " — provisional: the current period is still open" : ""))
            print("traffic (day, peer, direction, batches, records):")
            for t in report.traffic { print("  \(t.day)  \(t.peer)  \(t.direction)  \(t.batches)  \(t.records)") }
            print("rejections (direction, code, records, rate):")
            for r in report.rejections { print("  \(r.direction)  \(r.code)  \(r.records)  " + String(format: "%.2f%%", r.rate * 100)) }
            if !report.noted.isEmpty {
                print("records taken with a note for staff (peer, field, code, records; `gateway records show` gives each note):")
                for n in report.noted { print("  \(n.peer)  \(n.field)  \(n.code)  \(n.records)") }
            }
            let l = report.deliveryLatency
            func s(_ v: Double?) -> String { v.map { String(format: "%.1f s", $0) } ?? "-" }
            print("delivery latency over \(l.batches) batches: p50 \(s(l.p50)), p90 \(s(l.p90)), p99 \(s(l.p99))")
            print("retries \(report.retries), resubmissions \(report.resubmissions), failed batches \(report.failedBatches)")
        }
    }
}
