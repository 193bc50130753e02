import Foundation

/// What a peer answered to one delivery attempt.
public enum PeerAnswer: Sendable, Equatable {
    /// 200 with a receipt (possibly a replay).
    case receipt(Receipt)
    /// Any other HTTP status, with the problem body and a `Retry-After` in seconds if given.
    case status(Int, body: String, retryAfter: TimeInterval?)
    /// A 200 that is not this batch's receipt (of another batch, body or record count, or not a
    /// receipt at all): no delivery, so no answer, retried; the text says what came.
    case notTheReceipt(String)
    /// No answer: refused, reset, timed out.
    case transport(String)
}

/// What the sender does next with a batch (`exchange-protocol.md`, Sending).
public enum NextStep: Sendable, Equatable {
    case delivered(Receipt)
    case retry(at: Date)
    /// Waits for an operator; the reason keeps the last answer.
    case failed(String)
}

/// Exponential back-off with jitter, `Retry-After` honoured, per-peer limits of attempts and age;
/// 4xx answers other than 429 are not retried; a redirect and a 200 that is not the batch's receipt
/// are failed attempts, retried like no answer (`exchange-protocol.md`, Sending).
public struct RetryPolicy: Sendable, Equatable {
    public var firstDelay: TimeInterval
    public var maximumDelay: TimeInterval
    public var maximumAttempts: Int
    public var maximumAge: TimeInterval
    /// The share of each delay drawn at random, either way (0.2: ±20 %).
    public var jitter: Double

    public init(firstDelay: TimeInterval = 2, maximumDelay: TimeInterval = 600, maximumAttempts: Int = 12,
                maximumAge: TimeInterval = 24 * 3600, jitter: Double = 0.2) {
        self.firstDelay = firstDelay
        self.maximumDelay = maximumDelay
        self.maximumAttempts = maximumAttempts
        self.maximumAge = maximumAge
        self.jitter = jitter
    }

    /// The delay after `attempts` failed attempts, before jitter: first, twice that, … up to the maximum.
    public func delay(afterAttempts attempts: Int) -> TimeInterval {
        min(maximumDelay, firstDelay * pow(2, Double(max(0, attempts - 1))))
    }

    /// The next step after an answer to the `attempts`-th attempt of a batch first tried at `firstAttempt`.
    public func next(after answer: PeerAnswer, attempts: Int, firstAttempt: Date, now: Date,
                     random: inout some RandomNumberGenerator) -> NextStep {
        let retryAfter: TimeInterval?
        let description: String
        switch answer {
        case .receipt(let receipt):
            return .delivered(receipt)
        case .status(let code, let body, let after) where code == 429 || (500...599).contains(code):
            retryAfter = after
            description = "\(code) \(body.prefix(500))"
        case .status(let code, let body, _) where (300...399).contains(code):
            // A redirect is a failed attempt: not followed, and tried again where the batch goes.
            retryAfter = nil
            description = "\(code) \(body.prefix(500))"
        case .notTheReceipt(let what):
            retryAfter = nil
            description = what
        case .status(let code, let body, _):
            return .failed("\(code) \(body.prefix(2000)) (not retried: the peer refused the batch itself)")
        case .transport(let error):
            retryAfter = nil
            description = error
        }
        guard attempts < maximumAttempts else { return .failed("\(attempts) attempts, the last answered: \(description)") }
        let base = delay(afterAttempts: attempts)
        let jittered = base * (1 + jitter * Double.random(in: -1...1, using: &random))
        let at = now.addingTimeInterval(max(jittered, retryAfter ?? 0))
        guard at.timeIntervalSince(firstAttempt) <= maximumAge else {
            return .failed("older than \(Int(maximumAge)) s, the last answered: \(description)")
        }
        return .retry(at: at)
    }
}
