import Model

/// Additions to the monthly counts (`flow_month`) made by one receive transaction, summed per flow
/// and written once each at its end.
struct FlowCounts {
    struct Key: Hashable { var type: RecordType; var month: String; var origin: String; var sender: String }
    var changes: [Key: (records: Int, messages: Int)] = [:]

    mutating func add(_ type: RecordType, month: String, origin: String, sender: String, records: Int = 0, messages: Int = 0) {
        let key = Key(type: type, month: month, origin: origin, sender: sender)
        let now = changes[key] ?? (0, 0)
        changes[key] = (now.records + records, now.messages + messages)
    }

    /// The changes that change something, in key order (the order every store writes them in, so
    /// that two transactions never wait for each other's rows in opposite orders).
    var sorted: [(key: Key, change: (records: Int, messages: Int))] {
        changes.filter { $0.value != (0, 0) }
            .map { (key: $0.key, change: $0.value) }
            .sorted { a, b in (a.key.type.rawValue, a.key.month, a.key.origin, a.key.sender) < (b.key.type.rawValue, b.key.month, b.key.origin, b.key.sender) }
    }
}
