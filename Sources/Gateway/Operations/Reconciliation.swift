import ExchangeHTTP
import ExchangeProtocol
import Formats
import Foundation
import Ledger
import Logging
import Model

/// Compares what this gateway believes it delivered to a peer with the peer's manifest, and what it
/// received from the peer with what its back office got.
public struct Reconciliation: Sendable {
    public let agency: Agency
    public let store: any LedgerStore
    public let client: PeerClient
    /// The peers in force (the dispatcher's).
    public let directory: Reloadable<[Agency: Dispatcher.Peer]>
    public var peers: [Agency: Dispatcher.Peer] { directory.value }
    /// Where ignored manifest entries are said (a test collects them).
    public var logger = Logger(label: "gateway.reconcile")

    public init(agency: Agency, store: any LedgerStore, client: PeerClient = PeerClient(), peers: [Agency: Dispatcher.Peer]) {
        self.init(agency: agency, store: store, client: client, directory: Reloadable(peers))
    }

    public init(agency: Agency, store: any LedgerStore, client: PeerClient = PeerClient(), directory: Reloadable<[Agency: Dispatcher.Peer]>) {
        self.agency = agency
        self.store = store
        self.client = client
        self.directory = directory
    }

    public struct Mismatch: Codable, Sendable, Equatable {
        public var batchId: String
        public var ours: String
        public var theirs: String
    }

    /// A manifest entry set apart: its batch and when the peer says it received it.
    public struct Ignored: Codable, Sendable, Equatable {
        public var batchId: String
        public var receivedAt: String
    }

    public struct Report: Codable, Sendable, Equatable {
        public var peer: String
        public var since: String
        public var until: String
        /// Delivered, and the peer has it with the same body.
        public var confirmed: [String] = []
        /// Believed delivered, unknown to the peer.
        public var missingAtPeer: [String] = []
        /// Known to the peer with another body digest, or (a summary of its receipt that is not the
        /// batch's) with another record count.
        public var digestMismatch: [Mismatch] = []
        /// In the peer's manifest but not delivered in this ledger (still queued, failed, or unknown here).
        public var unconfirmedHere: [String] = []
        /// Received from the peer, never handed to this agency's back office.
        public var notDeliveredToBackOffice: [String] = []
        /// Batches queued again for the peer (`--repair`), with their same id and body.
        public var requeued: [String] = []
        /// Entries of the peer's manifest received outside the window asked for, ignored (not a
        /// finding: clarification 11, a receiver may read `until` as inclusive).
        public var ignoredOutsideWindow: [Ignored] = []

        public var findings: Int { missingAtPeer.count + digestMismatch.count + unconfirmedHere.count + notDeliveredToBackOffice.count }

        public init(peer: String, since: String, until: String) {
            self.peer = peer
            self.since = since
            self.until = until
        }
    }

    /// Fetches the peer's manifest for the window and compares; with `repair`, queues again (same id,
    /// same body) what the peer lacks, and writes the action to the audit log.
    public func run(peer: Agency, since: Date, until: Date, repair: Bool = false, actor: String = "gateway", reason: String? = nil,
                    now: Date = Date()) async throws -> Report {
        guard let settings = peers[peer] else { throw GatewayError("\(peer) is not a peer this gateway sends to (no url and sendKeyFile)") }
        let answer = try await client.manifest(from: settings.url, of: peer, as: agency, signer: settings.keys.signer(at: now),
                                              since: since, until: until, now: now, tls: settings.tls, signedAnswers: settings.signedAnswers)
        let manifest = answer.manifest
        var report = Report(peer: peer.rawValue, since: Instant.text(since), until: Instant.text(until))
        for entry in answer.outsideWindow {
            let ignored = Ignored(batchId: String(entry.batchId.prefix(64)), receivedAt: String(entry.receivedAt.prefix(40)))
            report.ignoredOutsideWindow.append(ignored)
            logger.notice("a manifest entry outside the window asked for is ignored",
                          metadata: ["peer": "\(peer)", "batch": "\(ignored.batchId)", "receivedAt": "\(ignored.receivedAt)",
                                     "since": "\(report.since)", "until": "\(report.until)"])
        }
        let theirs = Dictionary(manifest.batches.map { ($0.batchId, $0) }, uniquingKeysWith: { a, _ in a })
        let ours = try await store.deliveredBatches(to: peer, receivedSince: since, until: until)
        for batch in ours {
            // As a sender takes a receipt: the batch's id, its body's digest and its record count.
            switch theirs[batch.batchId] {
            case nil: report.missingAtPeer.append(batch.batchId)
            case let entry? where entry.bodySha256 != batch.bodySha256:
                report.digestMismatch.append(Mismatch(batchId: batch.batchId, ours: batch.bodySha256, theirs: entry.bodySha256))
            case let entry? where batch.recordCount.map({ $0 != entry.counts.records }) ?? false:
                report.digestMismatch.append(Mismatch(batchId: batch.batchId, ours: "\(batch.recordCount!) records", theirs: "\(entry.counts.records) records"))
            default: report.confirmed.append(batch.batchId)
            }
        }
        try await store.markConfirmed(report.confirmed, now: now)
        let delivered = Set(ours.map(\.batchId))
        report.unconfirmedHere = manifest.batches.map(\.batchId).filter { !delivered.contains($0) }.sorted()
        report.notDeliveredToBackOffice = try await store.undeliveredBatches().filter { $0.sender == peer }.map(\.batchId)
        if repair {
            for id in report.missingAtPeer where try await store.requeue(id, audit: AuditEntry(actor: actor, action: "reconcile-repair", target: id, reason: reason,
                                                                                        detail: "unknown to \(peer) in its manifest; queued again with the same id and body"),
                                                                 now: now) {
                report.requeued.append(id)
            }
        }
        return report
    }
}
