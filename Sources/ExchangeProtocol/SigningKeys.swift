import Foundation

/// One direction of a pair's keys: the key in force, and the next one with the instant from which
/// it signs (`peers.X.sendNextKeyFile`, `sendNextFrom`). The receiving side of the same direction
/// accepts both while both are configured (`receiveNextKeyFile`), so the two gateways switch
/// without a batch refused: first the receiver adds the next key, then the sender names the
/// instant, and once it has passed both drop the old one.
public struct SigningKeys: Sendable {
    public var current: RequestSignature
    public var next: RequestSignature?
    /// From when `next` signs; `next` without it is held ready and signs nothing yet.
    public var nextFrom: Date?

    public init(current: RequestSignature, next: RequestSignature? = nil, nextFrom: Date? = nil) {
        self.current = current
        self.next = next
        self.nextFrom = nextFrom
    }

    /// The key that signs a request made at `now`.
    public func signer(at now: Date) -> RequestSignature {
        if let next, let nextFrom, now >= nextFrom { return next }
        return current
    }

    /// Which key signs at `now`.
    public func inForce(at now: Date) -> KeyInForce {
        if next != nil, let nextFrom, now >= nextFrom { return .next }
        return .current
    }
}

/// Which of a direction's keys is in force: the sender signs with `current` or `next`; the
/// receiver accepts the current key, or both while a rotation is under way.
public enum KeyInForce: String, Sendable, Codable, CustomStringConvertible {
    case current
    case next
    case currentAndNext = "current and next"

    public var description: String { rawValue }
}
