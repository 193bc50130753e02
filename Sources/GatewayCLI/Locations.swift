import ArgumentParser
import Foundation
import Gateway

/// Where a command finds the gateway's store and mappings.
struct Locations: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The gateway's store, an SQLite file (default: $GATEWAY_STORE, else var/gateway.sqlite).",
        valueName: "file"))
    var store: String?

    @Option(name: .long, help: ArgumentHelp(
        "The mappings folder (default: $GATEWAY_MAPPINGS, else ./mappings, else the project's own beside the executable).",
        valueName: "dir"))
    var mappings: String?

    var storePath: String {
        store ?? ProcessInfo.processInfo.environment["GATEWAY_STORE"].flatMap { $0.isEmpty ? nil : $0 } ?? "var/gateway.sqlite"
    }

    func mappingsFolder() throws -> MappingsFolder { try MappingsFolder.locate(explicit: mappings) }
}
