import Ledger

/// Where a statistic's rows come from, as SQL over a row `r`: the table (or subquery), the instant
/// that places a row in a period, and the agency columns. The facts columns (`r.fiche`, `r.status`,
/// …) have the same names in every source.
struct FlowSource {
    var from: String
    /// A condition every row meets (SQL), besides the record type and the window.
    var filter = "1 = 1"
    var type: String
    var time: String
    var origin: String
    var destination: String
    var training: String
    var outcome = "'accepted'"
    var count = "COUNT(*)"
    var arguments: [String] = []

    /// Records received, once each: first received, latest facts.
    static func receivedRecords(_ agency: String) -> FlowSource {
        FlowSource(from: "received_record r", type: "r.record_type", time: "r.first_received_at",
                   origin: "coalesce(r.referring_agency, r.origin)", destination: "'\(agency)'", training: "r.origin")
    }

    /// Versions received, accepted or again (duplicates), each as it was; a version refused as a
    /// conflict (same number, other content) is no message of that version. (The joins in this order:
    /// from the records' side SQLite would try every batch of the sender for each record.)
    static func receivedMessages(_ agency: String, _ dialect: SQLDialect) -> FlowSource {
        FlowSource(from: """
            batch_record br \(dialect.joinInOrder) batch b ON b.batch_id = br.batch_id AND b.direction = 'in' AND b.peer = br.peer
            \(dialect.joinInOrder) record r ON r.origin = b.peer AND r.record_id = br.record_id AND r.version = br.version
            """, filter: "br.outcome IN ('accepted', 'duplicate')", type: "r.record_type", time: "r.received_at", origin: "coalesce(r.referring_agency, r.origin)", destination: "'\(agency)'",
                   training: "r.origin", outcome: "CASE br.outcome WHEN 'accepted' THEN 'accepted' ELSE 'duplicate' END")
    }

    /// The monthly counts kept at receiving: the same answers as the two above, for the questions
    /// they can answer (periods of a month or more, agencies).
    static func monthly(_ agency: String, mode: CountingMode) -> FlowSource {
        FlowSource(from: "flow_month r", type: "r.record_type", time: "r.month", origin: "r.origin", destination: "'\(agency)'", training: "r.sender",
                   count: mode == .records ? "SUM(r.records)" : "SUM(r.messages)")
    }

    /// The persons among a source's records: each keyed pseudonym once.
    static func persons(_ records: FlowSource) -> FlowSource {
        var source = records
        source.count = "COUNT(DISTINCT r.person_key)"
        return source
    }

    /// Records received with their outcome: accepted ones (as `receivedRecords`), and those never
    /// accepted, once each, with the code of their last refusal.
    static func receivedOutcomes(_ agency: String, type: String) -> FlowSource {
        FlowSource(from: """
            (SELECT r.origin AS origin, r.first_received_at AS at, 'accepted' AS outcome, r.record_type AS record_type FROM received_record r WHERE r.record_type = ?
             UNION ALL
             SELECT peer, at, outcome, record_type FROM (
                 SELECT b.peer AS peer, b.created_at AS at, 'rejected ' || br.code AS outcome, b.record_type AS record_type,
                        ROW_NUMBER() OVER (PARTITION BY b.peer, br.record_id ORDER BY b.created_at DESC, b.batch_id DESC, br.position DESC) AS latest
                 FROM batch_record br JOIN batch b ON b.batch_id = br.batch_id AND b.direction = 'in' AND b.peer = br.peer AND b.record_type = ?
                 WHERE br.outcome = 'rejected' AND NOT EXISTS (SELECT 1 FROM received_record x WHERE x.origin = b.peer AND x.record_id = br.record_id)) refusals
             WHERE latest = 1) r
            """, type: "r.record_type", time: "r.at", origin: "r.origin", destination: "'\(agency)'", training: "r.origin", outcome: "r.outcome",
                   arguments: [type, type])
    }

    /// Every record this agency received or refused, message by message, with what became of it.
    static func receivedOutcomeMessages(_ agency: String) -> FlowSource {
        FlowSource(from: "batch_record br JOIN batch b ON b.batch_id = br.batch_id AND b.direction = 'in' AND b.peer = br.peer", type: "b.record_type", time: "b.created_at",
                   origin: "b.peer", destination: "'\(agency)'", training: "b.peer",
                   outcome: "CASE br.outcome WHEN 'rejected' THEN 'rejected ' || br.code ELSE br.outcome END")
    }

    /// Records sent, once per peer: first sent, facts of the latest version sent; counted once a
    /// batch that carried it to that peer was acknowledged with a receipt.
    static func sentRecords() -> FlowSource {
        FlowSource(from: "routed_record r", filter: """
            EXISTS (SELECT 1 FROM outgoing_record o JOIN batch b ON b.batch_id = o.batch_id AND b.direction = 'out'
                    WHERE o.origin = r.origin AND o.record_id = r.record_id AND b.peer = r.peer AND b.state = 'delivered')
            """, type: "r.record_type", time: "r.first_routed_at", origin: "coalesce(r.referring_agency, r.origin)", destination: "r.peer", training: "r.origin")
    }

    /// Versions sent in acknowledged batches, with the facts of the latest version sent.
    static func sentMessages() -> FlowSource {
        FlowSource(from: """
            outgoing_record o JOIN batch b ON b.batch_id = o.batch_id AND b.direction = 'out' AND b.state = 'delivered'
            JOIN routed_record r ON r.origin = o.origin AND r.record_id = o.record_id AND r.peer = b.peer
            """, type: "r.record_type", time: "b.created_at", origin: "coalesce(r.referring_agency, r.origin)", destination: "r.peer", training: "r.origin")
    }
}
