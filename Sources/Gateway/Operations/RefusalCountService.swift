import Foundation
import Ledger
import Logging
import ServiceLifecycle

/// Writes the counts of refused tokens (`RefusalTally`) once their minute is over, every
/// `RefusalTally.window`, and the rest when the gateway stops.
struct RefusalCountService: Service, CustomStringConvertible {
    var description: String { "refused-token counts" }
    let tally: RefusalTally
    let store: any LedgerStore
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(tally.window)) }
            await write(all: Task.isShuttingDownGracefully || Task.isCancelled)
        }
    }

    private func write(all: Bool) async {
        do {
            for entry in await tally.flush(now: Date(), all: all) { try await store.audit(entry, now: Date()) }
        } catch {
            logger.error("refused-token counts not written to the audit log", metadata: ["error": "\(error)"])
        }
    }
}
