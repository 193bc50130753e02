import ArgumentParser
import Files
import Foundation
import Logging
import Gateway

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the five agencies' gateways on loopback, feed them their fixtures, and show what crossed.",
        discussion: """
            The five configurations of deploy/local (the agencies' exchange matrix and routing rules) \
            are run in this process under a folder of their own — embedded stores, drop folders, \
            outgoing folders and fresh keys — on free loopback ports. Each agency's fixtures are \
            exported into its outgoing folder and picked up (tick 1); then each vacancy-exporting \
            agency fills one vacancy it had sent and exports a document again unchanged (tick 2). The \
            closing table gives, per pair and record type, the records sent and what the receivers' \
            receipts say of them; they must add up. Exit status 0 when they all do.

            Examples:
              gateway demo
              gateway demo --folder /tmp/pes-demo --keep-running
            """)

    @OptionGroup var network: NetworkOptions

    func run() async throws {
        let root = try ProjectFolder.locate(network.project, command: "demo")
        let (path, temporary) = try ProjectFolder.workFolder(network.folder, prefix: "pes-demo", command: "demo")
        defer { if temporary && !network.keepRunning { try? FileManager.default.removeItem(atPath: path) } }
        let started = Date()
        let outcome = try await Demo(project: root, folder: path, logLevel: try network.level()) { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))   // at once, also into a pipe: it is a progress report
        }.run(keepRunning: network.keepRunning)
        print("")
        print(String(format: "Done in %.1f s.", Date().timeIntervalSince(started)) + (temporary && !network.keepRunning ? " (The temporary folder is removed; --folder keeps one.)" : ""))
        if !outcome.succeeded { throw ExitCode(1) }
    }
}

/// The project folder (deploy/local, fixtures, mappings) and the folder a network's gateways work in.
enum ProjectFolder {
    static func locate(_ explicit: String?, command: String) throws -> URL {
        do {
            let root = try explicit.map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: MappingsFolder.locate(explicit: nil).path).deletingLastPathComponent()
            guard FileManager.default.fileExists(atPath: root.appendingPathComponent("deploy/local/vdab.yaml").path) else {
                throw GatewayError("\(root.path) has no deploy/local/vdab.yaml: give the project folder with --project")
            }
            return root
        } catch {
            FileHandle.standardError.write(Data("gateway \(command): \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// `folder` if given (new or empty), else a new temporary one (true: remove it at the end).
    static func workFolder(_ folder: String?, prefix: String, command: String) throws -> (path: String, temporary: Bool) {
        let path = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))").path
        if folder != nil, let contents = try? FileManager.default.contentsOfDirectory(atPath: path), !contents.isEmpty {
            FileHandle.standardError.write(Data("gateway \(command): \(path) is not empty; give a new or empty folder\n".utf8))
            throw ExitCode(2)
        }
        try PrivateFiles.makeFolder(path)
        return (path, folder == nil)
    }
}

/// Where a local network of the five gateways runs, and whether it stays up.
struct NetworkOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Where the five gateways keep their stores and folders (default: a new temporary folder, removed at the end).",
                               valueName: "dir"))
    var folder: String?

    @Flag(help: "Leave the network up (URLs printed) until Ctrl-C, for a person to explore (statistics, dashboards).")
    var keepRunning = false

    @Option(help: ArgumentHelp("The gateways' log level on standard error: trace, debug, info, notice, warning, error.", valueName: "level"))
    var logLevel = "warning"

    func level() throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level is trace, debug, info, notice, warning or error") }
        return level
    }

    @Option(help: ArgumentHelp("The project folder holding deploy/local, fixtures and mappings (default: found from the mappings folder).",
                               valueName: "dir"))
    var project: String?
}
