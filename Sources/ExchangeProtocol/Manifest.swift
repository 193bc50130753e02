/// One batch in a manifest (`GET /exchange/v1/manifest`).
public struct ManifestEntry: Codable, Hashable, Sendable {
    public var batchId: String
    public var bodySha256: String
    public var receivedAt: String
    public var counts: Receipt.Counts
    public init(batchId: String, bodySha256: String, receivedAt: String, counts: Receipt.Counts) {
        self.batchId = batchId
        self.bodySha256 = bodySha256
        self.receivedAt = receivedAt
        self.counts = counts
    }
}

/// The manifest's answer.
public struct Manifest: Codable, Hashable, Sendable {
    public var sender: String
    public var receiver: String
    public var since: String
    public var until: String
    public var batches: [ManifestEntry]
    public init(sender: String, receiver: String, since: String, until: String, batches: [ManifestEntry]) {
        self.sender = sender
        self.receiver = receiver
        self.since = since
        self.until = until
        self.batches = batches
    }
}
