/// Back-office deliveries of batches just received, made one after another behind their receipts:
/// a batch's receipt is answered while the batch is still being written to the back office, and
/// the receipt of the batch after it waits until that delivery is done. So a peer's next batch is
/// read and stored while the last one is delivered, at most one delivery waits at any time, and
/// batches reach the back office in the order they were received. A delivery cut short by a stop
/// is made again at start: the ledger holds the batch as received and not delivered.
actor DeliveryLine {
    private var last: Task<Void, Never>?

    /// Starts `delivery` once the one before it is done, and returns once the one before it is done.
    func enqueue(_ delivery: @escaping @Sendable () async -> Void) async {
        let previous = last
        last = Task {
            await previous?.value
            await delivery()
        }
        await previous?.value
    }

    /// Waits for every delivery started so far.
    func drain() async { await last?.value }
}
