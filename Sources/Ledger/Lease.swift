import Foundation

/// Who holds a claim on shared work in the ledger, and for how long: a batch being sent (the
/// outbox), or a received batch being handed to the back office. With several replicas of one
/// gateway on one database, each claim names the process that made it; a process that dies leaves
/// claims that run out after `duration` and are taken over by another replica.
///
/// `owner` is the replica's name and a boot id: a replica that restarts knows the claims of its
/// previous run (same name, another boot) as abandoned at once, without waiting for them to run out.
/// Two processes must therefore never run under one replica name.
public struct Lease: Sendable, Equatable {
    /// The replica's name (`store.replica`, by default the host name).
    public let replica: String
    /// The claims' owner: `<replica>#<boot id>`.
    public let owner: String
    /// How long a claim holds without being renewed.
    public let duration: TimeInterval

    public init(replica: String = Lease.hostName, duration: TimeInterval = 60) {
        self.replica = replica
        self.owner = replica + "#" + UUID().uuidString.lowercased().prefix(8)
        self.duration = duration
    }

    /// The prefix every claim of this replica (this run or an earlier one) starts with.
    public var replicaPrefix: String { replica + "#" }

    /// The end of a claim made at `now`, as the outbox's due times are written.
    func until(_ now: Date) -> String { DueTime.string(now.addingTimeInterval(duration)) }

    public static var hostName: String { ProcessInfo.processInfo.hostName }
}
