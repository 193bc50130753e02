/// Which way a batch went: received from a peer, or sent to one. The ledger's `batch.direction`
/// column and the operators' API spell it `in` and `out`.
public enum BatchDirection: String, Sendable, Codable, CaseIterable {
    case received = "in"
    case sent = "out"
}
