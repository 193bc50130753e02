import ArgumentParser
import Foundation
import Formats
import Gateway
import Ledger
import Model

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Queue a document's records for a peer: translated into one exchange batch and written to the outbox.",
        discussion: """
            The records are read in the document's format, checked, and written as one batch (a new \
            batch id) into the gateway's outbox; the running `gateway serve` delivers it, with retries, \
            and `gateway batches show ID` shows what became of it. The peer must be agreed for the \
            record type in the configuration (its `send` list).

            Example:
              gateway send --config deploy/local/forem.yaml --to VDAB --from forem fixtures/forem/vacancies.xml
            """)

    @Option(help: ArgumentHelp("The gateway's configuration (YAML).", valueName: "file")) var config: String
    @Option(help: ArgumentHelp("The receiving agency.", valueName: "agency")) var to: String
    @Option(help: "The document's format (vdab, forem, actiris, adg, bf, exchange-json, exchange-xml).") var from: String
    @Option(help: "vacancy or trainee (default: vacancy unless the format holds trainee records only).") var type: String?
    @Argument(help: "The document.") var input: String

    func run() async throws {
        do {
            let configuration = try GatewayConfiguration.load(config)
            let mappings = try MappingsFolder.locate(explicit: configuration.mappings)
            let catalog = try mappings.formatCatalog()
            guard let receiver = Agency(rawValue: to.uppercased()), let peer = configuration.peers[receiver] else {
                throw GatewayError("--to \(to): not a peer of \(configuration.agency) (peers: \(configuration.peers.keys.map(\.rawValue).sorted().joined(separator: ", ")))")
            }
            let types = catalog.types(of: from)
            guard !types.isEmpty else { throw GatewayError("unknown format '\(from)'\(NearMiss.phrase(for: from, among: catalog.names)) (known: \(catalog.names.joined(separator: ", ")))") }
            let recordType = try type.map { t in
                guard let r = RecordType(rawValue: t) else { throw GatewayError("--type is vacancy or trainee") }
                return r
            } ?? (types == [.trainee] ? .trainee : .vacancy)
            guard peer.sends.contains(recordType) else {
                throw GatewayError("\(configuration.agency) → \(receiver) is not agreed for \(recordType.rawValue) records (peers.\(receiver).send)")
            }
            let store = try await configuration.openStore()
            let taxonomy = try await TaxonomyInForce.load(mappings: mappings, store: store)
            let document = try LocalFiles.bytes(input)
            // Kept in the ledger like a picked-up document, so that a resubmission can rebuild from it.
            let source = "send:\(URL(fileURLWithPath: input).lastPathComponent) at \(ISO8601DateFormatter().string(from: Date()))"
            let plan = try await PickupPlan.make(document: document, source: source, format: catalog.format(from, type: recordType)!, agency: configuration.agency,
                                           peers: [receiver: .init(sends: peer.sends, encoding: peer.encoding)],
                                           routing: Routing(rules: [RoutingRule(recordType: recordType, destination: .peers([receiver]))]),
                                           taxonomy: taxonomy) { _ in [:] }
            if let error = plan.report.documentError { throw GatewayError("\(input): \(error)") }
            guard !plan.batches.isEmpty else { throw GatewayError("no record of \(input) could be sent: \(plan.entry.rejected) rejected") }
            try await store.commitPickup(plan.entry, batches: plan.batches, routed: plan.routed)
            for batch in plan.batches { print(batch.batchId) }
            FileHandle.standardError.write(Data("queued \(plan.batches.count) batch(es) for \(receiver): \(plan.routed.count) records (\(plan.entry.rejected) rejected)\n".utf8))
            for r in plan.report.rejected { FileHandle.standardError.write(Data("rejected #\(r.index) \(r.recordId): \(r.rejections.joined(separator: "; "))\n".utf8)) }
        } catch {
            FileHandle.standardError.write(Data("gateway send: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
