/// What one peer may send in a minute (`receiving.quota`): so many batches and so many bytes of
/// body, each a bucket that fills at its rate a second up to a minute's worth. A batch takes one
/// from the first and its body's length from the second; one that finds either short is refused
/// 429, with the seconds until there is enough as `Retry-After`.
///
/// ```swift
/// var bucket = PeerQuota(batchesPerMinute: 120, bytesPerMinute: 512 << 20).bucket(at: 0)
/// bucket.take(bytes: 1_500_000, at: 0.5, quota: quota)   // nil: taken; else seconds to wait
/// ```
public struct PeerQuota: Sendable, Equatable {
    public var batchesPerMinute: Int
    public var bytesPerMinute: Int

    public init(batchesPerMinute: Int, bytesPerMinute: Int) {
        self.batchesPerMinute = batchesPerMinute
        self.bytesPerMinute = bytesPerMinute
    }

    /// A peer's buckets, full.
    public func bucket(at now: Double) -> Bucket {
        Bucket(batches: Double(batchesPerMinute), bytes: Double(bytesPerMinute), at: now)
    }

    /// What is left of a peer's minute, as of `at` (seconds on a monotonic clock).
    public struct Bucket: Sendable, Equatable {
        public var batches: Double
        public var bytes: Double
        public var at: Double

        mutating func refill(to now: Double, _ quota: PeerQuota) {
            let elapsed = max(0, now - at)
            batches = min(Double(quota.batchesPerMinute), batches + elapsed * Double(quota.batchesPerMinute) / 60)
            bytes = min(Double(quota.bytesPerMinute), bytes + elapsed * Double(quota.bytesPerMinute) / 60)
            at = now
        }

        /// Takes a batch of `bytes` (0 when not yet known), or answers the whole seconds to wait.
        public mutating func take(bytes needed: Int, at now: Double, quota: PeerQuota) -> Shortfall? {
            refill(to: now, quota)
            if batches < 1 {
                return Shortfall(what: .batches, seconds: Int(((1 - batches) * 60 / Double(quota.batchesPerMinute)).rounded(.up)))
            }
            let want = min(Double(needed), Double(quota.bytesPerMinute))
            if bytes < want {
                return Shortfall(what: .bytes, seconds: Int(((want - bytes) * 60 / Double(quota.bytesPerMinute)).rounded(.up)))
            }
            batches -= 1
            bytes -= want
            return nil
        }

        /// Charges bytes learnt only once the body was read (a body without Content-Length).
        public mutating func charge(bytes: Int, at now: Double, quota: PeerQuota) {
            refill(to: now, quota)
            self.bytes -= Double(bytes)
        }
    }

    public struct Shortfall: Sendable, Equatable {
        public enum What: String, Sendable { case batches, bytes }
        public var what: What
        public var seconds: Int

        public init(what: What, seconds: Int) {
            self.what = what
            self.seconds = seconds
        }
    }
}
