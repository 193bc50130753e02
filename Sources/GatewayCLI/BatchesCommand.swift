import ExchangeProtocol
import ArgumentParser
import Foundation
import Gateway
import Ledger
import Model

/// The gateway an operator command works on: its configuration, then its ledger and mappings.
struct OperatorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The gateway's configuration (YAML).", valueName: "file")) var config: String
    @Flag(help: "Answer in JSON (for scripts) rather than a table.") var json = false

    func node() async throws -> GatewayNode {
        let configuration = try GatewayConfiguration.load(config)
        return try await GatewayNode(configuration, mappings: try MappingsFolder.locate(explicit: configuration.mappings), logLevel: .error)
    }

    /// `text` as an agency of the directory this gateway reads (`mappings/agencies.yaml`), or a
    /// usage error naming the known ones and the nearest.
    static func agency(_ text: String, _ configuration: GatewayConfiguration, what: String = "agency") throws -> Agency {
        let codes = try MappingsFolder.locate(explicit: configuration.mappings).agencyDirectory().codes.map(\.rawValue)
        guard codes.contains(text.uppercased()), let agency = Agency(rawValue: text.uppercased()) else {
            throw ValidationError("\(text) is not an \(what) of this gateway's directory (\(codes.joined(separator: ", ")))"
                                  + NearMiss.phrase(for: text, among: codes))
        }
        return agency
    }
}

func parseInstant(_ text: String?, _ option: String) throws -> Date? {
    guard let text else { return nil }
    if let date = OperatorInstant.parse(text) { return date }
    throw ValidationError("\(option) \(text): expected a date (2026-11-22) or an instant (2026-11-22T06:00:00Z)")
}

struct BatchesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batches",
        abstract: "Find batches, see what became of them, and send failed ones again.",
        discussion: """
            Examples:
              gateway batches list --config deploy/local/forem.yaml --state failed
              gateway batches show --config deploy/local/forem.yaml 3f1c…
              gateway batches resubmit --config deploy/local/forem.yaml --failed --peer VDAB --dry-run
              gateway batches resubmit --config deploy/local/forem.yaml --failed --peer VDAB --reason "ROME code added (ticket 4711)"
            """,
        subcommands: [List.self, Show.self, Resubmit.self])

    struct Filter: ParsableArguments {
        @Option(help: "queued, sending, delivered, failed, received, or rejected-records (delivered or received with records refused).")
        var state: String?
        @Option(help: ArgumentHelp("Only batches to or from this agency.", valueName: "agency")) var peer: String?
        @Option(help: "in (received) or out (sent).") var direction: String?
        @Option(help: ArgumentHelp("Created at or after (2026-11-22 or 2026-11-22T06:00:00Z).", valueName: "time")) var since: String?
        @Option(help: ArgumentHelp("Created before.", valueName: "time")) var until: String?

        func filter() throws -> BatchFilter {
            var f = BatchFilter()
            if let state {
                guard let s = BatchFilter.State(rawValue: state) else {
                    throw ValidationError("--state \(state): one of \(BatchFilter.State.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                f.state = s
            }
            if let peer {
                guard let a = Agency(rawValue: peer.uppercased()) else { throw ValidationError("--peer \(peer): not an agency") }
                f.peer = a
            }
            if let direction {
                guard let d = BatchDirection(rawValue: direction) else { throw ValidationError("--direction is in or out") }
                f.direction = d
            }
            f.since = try parseInstant(since, "--since")
            f.until = try parseInstant(until, "--until")
            return f
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List batches, newest first.")
        @OptionGroup var options: OperatorOptions
        @OptionGroup var filter: Filter

        func run() async throws {
            let store = try await GatewayConfiguration.load(options.config).openStore()
            let batches = try await store.batches(try filter.filter())
            if options.json { return try printJSON(batches) }
            print("batch                                 dir peer     type     state      records accepted dup rejected attempts created")
            for b in batches {
                let note = b.resubmittedAs.isEmpty ? "" : "  → resubmitted as \(b.resubmittedAs.joined(separator: ", "))"
                print([b.batchId.padded(37), b.direction.rawValue.padded(3), b.peer.padded(8), b.recordType.padded(8), b.state.rawValue.padded(10),
                       (b.records.map(String.init) ?? "-").padded(7), (b.accepted.map(String.init) ?? "-").padded(8),
                       (b.duplicates.map(String.init) ?? "-").padded(3), (b.rejected.map(String.init) ?? "-").padded(8),
                       String(b.attempts).padded(8), b.createdAt].joined(separator: " ") + note)
            }
            FileHandle.standardError.write(Data("\(batches.count) batches\n".utf8))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One batch: envelope, attempts with answers, receipt, rejected records, what the back office's format lost, resubmission chain.",
            discussion: """
                The id may be shortened to any prefix that only one batch has (as `batches list` prints them).

                Examples:
                  gateway batches show --config deploy/local/vdab.yaml 3f1c
                  gateway batches show --config deploy/local/vdab.yaml --peer FOREM 0b4f5c9e-3a51-4f7e-9d0c-1f1e6a0d2b77
                """)

        /// The batch `id` names, or the one batch whose id starts with it; a usage error otherwise,
        /// saying what to do.
        static func batch(_ id: String, peer: Agency?, in store: any LedgerStore, config: String) async throws -> BatchDetail {
            if let exact = try await store.batch(id, peer: peer) { return exact }
            let pattern = id.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
            let ids = Set(try await store.rows("SELECT batch_id FROM batch WHERE batch_id LIKE ? ESCAPE '\\' ORDER BY batch_id LIMIT 11", [pattern]).compactMap { $0.first ?? nil })
            if ids.count == 1, let only = ids.first, let found = try await store.batch(only, peer: peer) { return found }
            guard ids.isEmpty else {
                throw ValidationError("\(id) starts \(ids.count > 10 ? "more than ten" : "\(ids.count)") batch ids (\(ids.sorted().prefix(5).joined(separator: ", "))\(ids.count > 5 ? ", …" : "")): give more of it")
            }
            throw ValidationError("no batch \(id) in this gateway's ledger, nor one whose id starts with it: `gateway batches list --config \(config)` lists them")
        }
        @OptionGroup var options: OperatorOptions
        @Argument(help: "The batch id.") var batchId: String
        @Option(help: "The peer (sent to, or received from), when two senders used the id.") var peer: String?

        func run() async throws {
            let configuration = try GatewayConfiguration.load(options.config)
            let peer = try self.peer.map { try OperatorOptions.agency($0, configuration, what: "agency") }
            let store = try await configuration.openStore()
            let b = try await Self.batch(batchId, peer: peer, in: store, config: options.config)
            if options.json { return try printJSON(b) }
            let s = b.summary
            print("batch     \(s.batchId) (\(s.direction == .sent ? "sent to" : "received from") \(s.peer), \(s.recordType) records, \(b.encoding ?? "?"))")
            print("state     \(s.state)   created \(s.createdAt)   updated \(s.updatedAt)")
            print("body      sha256 \(b.bodySha256)")
            if let source = b.source { print("made of   \(source)") }
            if let to = b.deliveredTo { print("delivered \(to)") }
            if let c = b.receipt?.counts { print("receipt   \(c.records) records: \(c.accepted) accepted, \(c.duplicates) duplicates, \(c.rejected) rejected") }
            for a in b.attempts { print("attempt \(a.attempt) \(a.at) \(a.outcome): \(a.answer.prefix(300))") }
            if b.attempts.isEmpty, let last = b.lastAnswer { print("answer    \(last.prefix(300))") }
            for r in b.rejections { print("rejected  #\(r.index) \(r.recordId) \(r.field) \(r.code): \(r.message)") }
            for r in b.deliveryLosses {
                for loss in r.losses { print("lost      #\(r.index) \(r.recordId) in the back office's format: \(loss)") }
            }
            if b.chain.count > 1 { print("chain     \(b.chain.map { $0 == batchId ? "[\($0)]" : $0 }.joined(separator: " → "))") }
        }
    }

    struct Resubmit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send failed batches again (or the records a peer rejected), rebuilt through today's mappings and taxonomy.",
            discussion: """
                Each batch is rebuilt from the original regional document it was made of, so that a fix \
                in mappings/ or a new taxonomy repairs its records; ids and versions are unchanged and \
                the new batch names the old one (resubmissionOf). A batch is resubmitted once: a run \
                interrupted and run again does only what is left. Records that still fail are listed \
                with their reason. --reason is written to the audit log.
                """)
        @OptionGroup var options: OperatorOptions
        @Argument(help: "Batch ids (or use --failed / --rejected-records with a filter).") var batchIds: [String] = []
        @Flag(help: "Every failed batch the filter selects.") var failed = false
        @Flag(help: "Every delivered batch with records the peer rejected.") var rejectedRecords = false
        @Option(help: ArgumentHelp("Only batches to this agency.", valueName: "agency")) var peer: String?
        @Option(help: ArgumentHelp("Created at or after.", valueName: "time")) var since: String?
        @Option(help: ArgumentHelp("Created before.", valueName: "time")) var until: String?
        @Flag(help: "Show what would be sent, send nothing.") var dryRun = false
        @Flag(help: "Do not ask for confirmation when more than one batch would go.") var yes = false
        @Option(help: "Why (written to the audit log; required unless --dry-run).") var reason: String?

        func validate() throws {
            if batchIds.isEmpty && !failed && !rejectedRecords { throw ValidationError("name batch ids, or select with --failed or --rejected-records") }
            if !batchIds.isEmpty && (failed || rejectedRecords) { throw ValidationError("name batch ids or select with a filter, not both") }
            if !dryRun && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason is required: say why, for the audit log") }
        }

        func run() async throws {
            let node = try await options.node()
            var ids = batchIds
            if ids.isEmpty {
                var filter = try BatchesCommand.Filter.parse(["--direction", "out"] + (peer.map { ["--peer", $0] } ?? [])
                                                             + (since.map { ["--since", $0] } ?? []) + (until.map { ["--until", $0] } ?? [])).filter()
                filter.notResubmitted = true
                filter.limit = 100_000
                var selected: [String] = []
                if failed { filter.state = .failed; selected += try await node.store.batches(filter).map(\.batchId) }
                if rejectedRecords { filter.state = .rejectedRecords; selected += try await node.store.batches(filter).map(\.batchId) }
                ids = selected.reversed()   // oldest first
            }
            var plans: [Resubmission.Planned] = []
            for id in ids { plans.append(try await node.resubmission.plan(id)) }
            let going = plans.filter { $0.refusal == nil && $0.records > 0 }
            for p in plans {
                if let refusal = p.refusal { print("\(p.batchId): not resubmitted: \(refusal)"); continue }
                print("\(p.batchId) → \(p.peer): \(p.records) records" + (p.stillFailing.isEmpty ? "" : ", \(p.stillFailing.count) still failing"))
                for f in p.stillFailing { print("    \(f.recordId): \(f.reason)") }
            }
            if dryRun { print("dry run: \(going.count) of \(plans.count) batches would be sent again; nothing sent."); return }
            if going.count > 1 && !yes {
                print("Send \(going.count) batches again? [y/N] ", terminator: "")
                guard readLine()?.lowercased().hasPrefix("y") == true else { print("nothing sent."); throw ExitCode(1) }
            }
            let actor = "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown")
            var sent = 0, records = 0
            for (i, p) in going.enumerated() {
                if try await node.resubmission.commit(p, actor: actor, reason: reason ?? "") {
                    sent += 1
                    records += p.records
                    FileHandle.standardError.write(Data("[\(i + 1)/\(going.count)] \(p.batchId) → \(p.newBatchIds.joined(separator: ", "))\n".utf8))
                }
            }
            print("\(sent) batches queued again with \(records) records; the running gateway sends them. \(plans.count - going.count) not resubmitted.")
        }
    }
}

struct RecordsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "records", abstract: "A record's history across batches and versions.",
                                                    subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every version of a record received or sent, in which batch, with what outcome.",
                                                        discussion: "Example:\n  gateway records show --config deploy/local/vdab.yaml FOREM FO-4481236")
        @OptionGroup var options: OperatorOptions
        @Argument(help: "The agency the record comes from.") var agency: String
        @Argument(help: "The record id.") var id: String

        func run() async throws {
            let configuration = try GatewayConfiguration.load(options.config)
            let origin = try OperatorOptions.agency(agency, configuration)
            let store = try await configuration.openStore()
            let h = try await store.history(origin: origin, recordId: id)
            if options.json { return try printJSON(h) }
            if h.received.isEmpty && h.sent.isEmpty {
                throw ValidationError("\(origin) \(id): no version of it was received or sent here (record ids are the origin's own, case and all; "
                                      + "`gateway batches list --config \(options.config)` shows what crossed)")
            }
            for r in h.received {
                // An accepted version may carry a note for staff (its source code read otherwise here).
                let detail = r.code.map { (r.outcome == .accepted ? ", noted " : " ") + "\($0): \(r.message ?? "")" } ?? ""
                print("\(r.at) received v\(r.version.map(String.init) ?? "?") in \(r.batchId): \(r.outcome)" + detail)
            }
            for s in h.sent { print("\(s.at) sent v\(s.version) to \(s.peer) in \(s.batchId): \(s.state)") }
        }
    }
}

extension String {
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
