/// Schema text that both stores run as it is.
enum LedgerSchema {
    /// Migration 0012: replicas. A batch being sent, or a received batch being handed to the back
    /// office, is claimed by one gateway process until `lease_until` (see `Lease`); a process that
    /// dies leaves a claim that runs out and is taken over. Each attempt names the process that
    /// made it, and each batch received the process that stored it.
    static let leases = """
        ALTER TABLE batch ADD COLUMN lease_owner TEXT;
        ALTER TABLE batch ADD COLUMN lease_until TEXT;
        ALTER TABLE batch ADD COLUMN received_by TEXT;
        ALTER TABLE attempt ADD COLUMN replica TEXT;
        """
}
