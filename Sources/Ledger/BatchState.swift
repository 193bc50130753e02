/// Where a batch stands (`batch.state`). A sent batch is `queued` until the dispatcher takes it,
/// `sending` while an attempt is under way, then `delivered` (the peer's receipt is held) or
/// `failed` (the attempts ran out, or the peer refused it); a received batch is `received`.
public enum BatchState: String, Sendable, Codable, CaseIterable {
    case queued, sending, delivered, failed, received
}
