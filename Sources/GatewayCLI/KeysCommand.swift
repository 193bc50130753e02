import ArgumentParser
import Files
import Foundation
import ExchangeHTTP
import ExchangeProtocol
import Gateway
import Ledger

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "The keys of the pairs and the payload key: which is in force, and moving payloads to a new one.",
        discussion: """
            A pair's key changes without a batch refused in three steps, each side reading its file \
            again (kill -HUP, or POST /admin/v1/reload) and neither restarted:
              1. the receiver adds the next key:   receiveNextKeyFile: forem-to-vdab.next.key
              2. the sender names when it signs with it:
                   sendNextKeyFile: forem-to-vdab.next.key
                   sendNextFrom: 2026-12-05T06:00:00Z
              3. once that instant has passed, both drop the old key (sendKeyFile and receiveKeyFile
                 name the new file, the next-key lines go).
            `gateway keys check` says where each side stands.

            The payload key (payloadKeyFile) seals trainee payloads at rest; each sealed payload names \
            its key. To replace it: name the new file as payloadKeyFile and the old one under \
            payloadRetiredKeyFiles, restart the gateway, run `gateway keys reseal`, then remove the \
            old file from the configuration.
            """,
        subcommands: [New.self, Check.self, Reseal.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "For each direction of each pair, the key in force and when the next one takes over; the payload key's id.",
            discussion: """
                Reads the configuration and every key file it names (a key used twice, a file readable \
                by others or too short is the error it would be at start). Exits 0 when all is in order, \
                1 when a next key is configured with nothing to put it in force.

                Example:
                  gateway keys check --config deploy/local/forem.yaml
                  gateway keys check --config deploy/local/forem.yaml --at 2026-12-05T06:00:00Z --json
                """)
        @Option(help: ArgumentHelp("The gateway's configuration (YAML).", valueName: "file")) var config: String
        @Option(help: ArgumentHelp("The instant to answer for (RFC 3339; default: now).", valueName: "instant")) var at: String?
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() throws {
            let instant: Date
            if let at {
                guard let parsed = Instant.parse(at) else { throw ValidationError("--at: expected an RFC 3339 instant (2026-12-05T06:00:00Z), got '\(at)'") }
                instant = parsed
            } else {
                instant = Date()
            }
            let configuration: GatewayConfiguration
            do { configuration = try GatewayConfiguration.load(config) } catch {
                FileHandle.standardError.write(Data("gateway keys check: \(error)\n".utf8))
                throw ExitCode(2)
            }
            let keys = KeyStatus.all(configuration, at: instant)
            let report = KeysReport(keys: keys, payloadKey: configuration.payloadKey?.idText,
                                    retiredPayloadKeys: configuration.payloadKey?.retired.map(\.idText) ?? [])
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                let rows = [["DIRECTION", "IN FORCE", "NEXT FROM", "SETTING"]] + keys.map {
                    [$0.direction, $0.inForce.rawValue, $0.nextFrom ?? ($0.nextHeldReady ? "(no sendNextFrom)" : "-"), $0.setting]
                }
                let widths = (0..<4).map { c in rows.map { $0[c].count }.max() ?? 0 }
                for row in rows {
                    print(row.enumerated().map { c, cell in c == 3 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }.joined(separator: "  "))
                }
                if let id = report.payloadKey {
                    print("payload key \(id)" + (report.retiredPayloadKeys.isEmpty ? "" : "; retired, still read: \(report.retiredPayloadKeys.joined(separator: ", "))"))
                }
            }
            for key in keys where key.nextHeldReady {
                FileHandle.standardError.write(Data("\(key.direction): a next key is configured without sendNextFrom: it signs nothing until one is set\n".utf8))
            }
            if keys.contains(where: \.nextHeldReady) { throw ExitCode(1) }
        }
    }

    struct KeysReport: Encodable {
        var keys: [KeyStatus]
        var payloadKey: String?
        var retiredPayloadKeys: [String]
    }

    struct Reseal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal again under payloadKeyFile every stored payload sealed under a retired payload key.",
            discussion: """
                Opens the gateway's ledger as the configuration says, with payloadKeyFile and \
                payloadRetiredKeyFiles; moves the payloads 200 per transaction, printing its progress. \
                Safe to run while the gateway serves, and to run again: a pass cut short resumes, a \
                payload already under the key in force is left as it is. A payload sealed under a key \
                that is not configured stops it, with that key's id.

                Example:
                  gateway keys reseal --config deploy/local/forem.yaml
                """)
        @Option(help: ArgumentHelp("The gateway's configuration (YAML).", valueName: "file")) var config: String

        func run() async throws {
            let configuration: GatewayConfiguration
            do { configuration = try GatewayConfiguration.load(config) } catch {
                FileHandle.standardError.write(Data("gateway keys reseal: \(error)\n".utf8))
                throw ExitCode(2)
            }
            guard let key = configuration.payloadKey else {
                FileHandle.standardError.write(Data("gateway keys reseal: \(config) names no payloadKeyFile: nothing is sealed\n".utf8))
                throw ExitCode(2)
            }
            let store = try await configuration.openStore()
            let report: ResealReport
            do {
                report = try await store.resealPayloads(chunk: 200) { progress in
                    FileHandle.standardError.write(Data("resealed \(progress.resealed), unchanged \(progress.unchanged)\r".utf8))
                }
            } catch {
                FileHandle.standardError.write(Data("\ngateway keys reseal: \(error)\n".utf8))
                throw ExitCode(1)
            }
            FileHandle.standardError.write(Data("\n".utf8))
            print("\(report.resealed) payloads sealed again under payload key \(key.idText); \(report.unchanged) already under it or not sealed"
                  + (key.retired.isEmpty ? "" : ". payloadRetiredKeyFiles can now be removed from \(config)"))
        }
    }

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new key file: 32 random bytes as 64 hexadecimal digits, readable by its owner only.",
            discussion: """
                The file must not exist yet (an existing key is never overwritten) and its folder \
                must not be writable by others. One file per direction of each pair, and one for the \
                payloads: a gateway refuses one key for two uses, and refuses a key that is short or \
                not random (a repeated byte, a short cycle).

                Example:
                  gateway keys new secrets/forem-to-vdab.key
                """)
        @Argument(help: ArgumentHelp("The key file to make.", valueName: "file")) var file: String

        func run() throws {
            var random = SystemRandomNumberGenerator()
            let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
            let text = bytes.map { String(format: "%02x", $0) }.joined() + "\n"
            do {
                let folder = (file as NSString).deletingLastPathComponent
                try SecretFiles.checkFolder(folder.isEmpty ? "." : folder, holding: file)
                let handle = try PrivateFiles.create(file)
                try handle.write(contentsOf: Array(text.utf8))
                try handle.synchronize()
                try handle.close()
            } catch {
                FileHandle.standardError.write(Data("gateway keys new: \(error)\n".utf8))
                throw ExitCode(2)
            }
            print("\(file): a new key, 32 random bytes, readable by its owner only")
        }
    }
}
