import ArgumentParser
import Foundation
import Formats
import Gateway
import Ledger
import Model

struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Queue a document's records for a peer: translated into one exchange batch and written to the outbox.",
        discussion: """
            The records are read in the document's format, checked, and written as one batch (a new \
            batch id) into the gateway's outbox; the running `gateway serve` delivers it, with retries, \
            and `gateway batches` (to come) shows what became of it. The peer must be agreed for the \
            record type in the configuration (its `send` list).

            Example:
              gateway send --config deploy/local/forem.yaml --to VDAB --from forem fixtures/forem/vacancies.xml
            """)

    @Option(help: ArgumentHelp("The gateway's configuration (YAML).", valueName: "file")) var config: String
    @Option(help: ArgumentHelp("The receiving agency.", valueName: "agency")) var to: String
    @Option(help: "The document's format (vdab, forem, actiris, adg, bf, exchange-json, exchange-xml).") var from: String
    @Option(help: "vacancy or trainee (default: vacancy unless the format holds trainee records only).") var type: String?
    @Argument(help: "The document.") var input: String

    func run() throws {
        do {
            let configuration = try GatewayConfiguration.load(config)
            let mappings = try MappingsFolder.locate(explicit: configuration.mappings)
            let catalog = try mappings.formatCatalog()
            guard let receiver = Agency(rawValue: to.uppercased()), let peer = configuration.peers[receiver] else {
                throw GatewayError("--to \(to): not a peer of \(configuration.agency) (peers: \(configuration.peers.keys.map(\.rawValue).sorted().joined(separator: ", ")))")
            }
            let types = catalog.types(of: from)
            guard !types.isEmpty else { throw GatewayError("unknown format '\(from)' (known: \(catalog.names.joined(separator: ", ")))") }
            let recordType = try type.map { t in
                guard let r = RecordType(rawValue: t) else { throw GatewayError("--type is vacancy or trainee") }
                return r
            } ?? (types == [.trainee] ? .trainee : .vacancy)
            guard peer.sends.contains(recordType) else {
                throw GatewayError("\(configuration.agency) → \(receiver) is not agreed for \(recordType.rawValue) records (peers.\(receiver).send)")
            }
            let store = try SQLiteStore(path: configuration.store)
            let taxonomy = try TaxonomyInForce.load(mappings: mappings, store: store)
            let batchId = UUID().uuidString.lowercased()
            let out = ByteWriter()
            let report = try Translator(source: catalog.format(from, type: recordType)!, target: ExchangeFormat(form: .json, recordType: recordType),
                                        taxonomy: taxonomy, envelope: EnvelopeFields(receiver: receiver, batchId: batchId))
                .translate(ByteReader(bytes: try LocalFiles.bytes(input)), into: out)
            guard report.translated > 0 else { throw GatewayError("no record of \(input) could be sent: \(report.rejected) rejected") }
            try store.enqueue(batchId: batchId, to: receiver, recordType: recordType, body: out.collected, form: .json)
            print(batchId)
            FileHandle.standardError.write(Data("queued batch \(batchId) for \(receiver): \(report.translated) records (\(report.rejected) rejected)\n".utf8))
        } catch {
            FileHandle.standardError.write(Data("gateway send: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
