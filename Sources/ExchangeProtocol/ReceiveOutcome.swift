import Model

/// What receiving a batch came to.
public enum ReceiveOutcome: Equatable, Sendable {
    /// A new batch: stored with its records; its receipt, and the positions of the records accepted
    /// (the ones to hand to the back office).
    case stored(Receipt, accepted: [Int])
    /// The same batch id with the same body again: nothing stored twice; the stored receipt.
    case replayed(Receipt)
    /// The same batch id with another body (409).
    case conflict
}
