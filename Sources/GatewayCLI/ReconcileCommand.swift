import ArgumentParser
import Foundation
import Gateway
import Model

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare this ledger with a peer's manifest: what it lacks, what it holds with another body, what our back office never got.",
        discussion: """
            The peer is asked for the batches it received from this agency in the window (its \
            manifest, signed); each batch this ledger believes delivered in that window is then \
            confirmed, missing at the peer, or held there with another body digest. Batches the peer \
            lists that are not delivered here, and batches received from the peer but never handed to \
            this agency's back office, are listed too. --repair queues what the peer lacks again, with \
            the same id and body (the running gateway sends it), and writes it to the audit log. Exit 0 \
            when there is nothing to report, 1 when there are findings.

            Example:
              gateway reconcile --config deploy/local/forem.yaml --peer VDAB --since 2026-11-01
            """)

    @OptionGroup var options: OperatorOptions
    @Option(help: ArgumentHelp("The peer to reconcile with.", valueName: "agency")) var peer: String
    @Option(help: ArgumentHelp("From (2026-11-22 or 2026-11-22T06:00:00Z).", valueName: "time")) var since: String
    @Option(help: ArgumentHelp("Until (default: now).", valueName: "time")) var until: String?
    @Flag(help: "Queue again what the peer lacks (same id, same body).") var repair = false
    @Option(help: "Why (written to the audit log; required with --repair).") var reason: String?

    func validate() throws {
        if repair && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason is required with --repair: say why, for the audit log") }
    }

    func run() async throws {
        guard let agency = Agency(rawValue: peer.uppercased()) else { throw ValidationError("--peer \(peer): not an agency") }
        let from = try parseInstant(since, "--since")!
        let to = try parseInstant(until, "--until") ?? Date()
        let node = try await options.node()
        let report = try await node.reconciliation.run(peer: agency, since: from, until: to, repair: repair,
                                                       actor: "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown"), reason: reason)
        if options.json {
            try printJSON(report)
        } else {
            print("\(node.configuration.agency) ↔ \(agency), \(report.since) to \(report.until)")
            var rows: [(label: String, items: [String])] = [
                ("confirmed", report.confirmed),
                ("delivered, unknown to \(agency.rawValue)", report.missingAtPeer),
                ("held with another body or count", report.digestMismatch.map { "\($0.batchId) (ours \($0.ours.prefix(12))…, theirs \($0.theirs.prefix(12))…)" }),
                ("listed by \(agency.rawValue), not delivered here", report.unconfirmedHere),
                ("received, not yet in our back office", report.notDeliveredToBackOffice),
            ]
            if repair { rows.append(("queued again", report.requeued)) }
            if !report.ignoredOutsideWindow.isEmpty {
                rows.append(("listed outside the window, ignored", report.ignoredOutsideWindow.map { "\($0.batchId) (received \($0.receivedAt))" }))
            }
            let width = rows.map(\.label.count).max() ?? 0
            for (i, row) in rows.enumerated() {
                // The confirmed batches are counted, not listed: the findings are what one reads.
                print("  \(row.label.padded(width))  \(row.items.count)" + (i == 0 ? "" : list(row.items)))
            }
        }
        if report.findings > 0 { throw ExitCode(1) }
    }

    func list(_ items: [String]) -> String { items.isEmpty ? "" : "\n" + items.map { "      " + $0 }.joined(separator: "\n") }
}
