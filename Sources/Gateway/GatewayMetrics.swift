import ExchangeHTTP
import ExchangeProtocol
import Formats
import Model
import Prometheus

/// The gateway's metrics in a Prometheus registry, served at `/metrics`: batches and records in and
/// out by peer, record type and result; how long delivery took; retries; the outbox's depth.
/// No personal data and no record id ever becomes a label.
public final class GatewayMetrics: ExchangeObserver {
    public let registry = PrometheusCollectorRegistry()
    /// The peers a label may name; any other sender is `unknown` (a label's values stay few
    /// whatever a request claims).
    let peers: Set<Agency>

    public init(peers: Set<Agency> = Set(AgencyDirectory.profile.codes)) {
        self.peers = peers
    }

    public func batchReceived(from peer: Agency?, type: RecordType?, result: String, counts: Receipt.Counts?) {
        let labels = [("peer", peer.map { peers.contains($0) ? $0.rawValue : "unknown" } ?? "unknown"),
                      ("type", type?.rawValue ?? "unknown"), ("result", result)]
        registry.makeCounter(descriptor: Self.metric("gateway_batches_received_total", "Batches answered, by peer, record type and result or refusal status"), labels: labels).increment()
        guard let counts, let peer, let type else { return }
        for (outcome, n) in [("accepted", counts.accepted), ("duplicate", counts.duplicates), ("rejected", counts.rejected)] where n > 0 {
            registry.makeCounter(descriptor: Self.metric("gateway_records_received_total", "Records received, by peer, record type and outcome"), labels: [("peer", peer.rawValue), ("type", type.rawValue), ("outcome", outcome)]).increment(by: Int64(n))
        }
    }

    public func batchSent(to peer: Agency, type: RecordType, result: String, waited: Duration?) {
        registry.makeCounter(descriptor: Self.metric("gateway_batches_sent_total", "Attempts to send a batch, by peer, record type and result (delivered, retried, failed)"), labels: [("peer", peer.rawValue), ("type", type.rawValue), ("result", result)]).increment()
        if result == "retried" {
            registry.makeCounter(descriptor: Self.metric("gateway_send_retries_total", "Sends scheduled again after no answer, 429 or 5xx"), labels: [("peer", peer.rawValue)]).increment()
        }
        if let waited {
            registry.makeDurationHistogram(descriptor: Self.metric("gateway_delivery_seconds", "Time from a batch's first attempt to its receipt"), labels: [("peer", peer.rawValue)],
                                           buckets: [.milliseconds(100), .seconds(1), .seconds(10), .seconds(60), .seconds(600), .seconds(3600)]).record(waited)
        }
    }

    public func outboxDepth(_ queued: Int) {
        registry.makeGauge(descriptor: Self.metric("gateway_outbox_queued", "Batches waiting in the outbox")).set(Int64(queued))
    }

    /// What the last scheduled reconcile with a peer found, by kind of finding.
    public func reconciled(with peer: Agency, _ report: Reconciliation.Report) {
        for (finding, n) in [("missing_at_peer", report.missingAtPeer.count), ("digest_mismatch", report.digestMismatch.count),
                             ("unconfirmed_here", report.unconfirmedHere.count), ("not_delivered_to_back_office", report.notDeliveredToBackOffice.count),
                             ("confirmed", report.confirmed.count)] {
            registry.makeGauge(descriptor: Self.metric("gateway_reconcile_batches", "Batches by finding of the last scheduled reconcile with each peer"), labels: [("peer", peer.rawValue), ("finding", finding)]).set(Int64(n))
        }
    }

    /// A connection the listener closed rather than its client, and why (`ConnectionTable.Closing`).
    public func connectionClosed(listener: String, because reason: ConnectionTable.Closing) {
        registry.makeCounter(descriptor: Self.metric("gateway_connections_closed_total", "Connections closed by a listener's limits, by listener and reason"),
                             labels: [("listener", listener), ("reason", reason.rawValue)]).increment()
    }

    /// The free space where received batches are written, and whether receiving is paused below
    /// its floor (`receiving.freeDiskMegabytes`).
    public func diskSpace(free: Int64?, floor: Int64) {
        guard let free else { return }
        registry.makeGauge(descriptor: Self.metric("gateway_disk_free_bytes", "Free bytes on the disk where received batches are written (the SQLite ledger, the drop folder)")).set(free)
        registry.makeGauge(descriptor: Self.metric("gateway_receiving_paused", "1 while receiving answers 503, by reason"), labels: [("reason", "disk")])
            .set(Int64(floor > 0 && free < floor ? 1 : 0))
    }

    /// A metric's whole name (as the exposition writes it) and its help text.
    static func metric(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// The text exposition format.
    public func exposition() -> String { registry.emitToString() }
}
