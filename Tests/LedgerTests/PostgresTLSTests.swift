import Foundation
import Ledger
import LedgerTestSupport
import Testing

/// `tls: require` (the default for any host that is not loopback) against a server that speaks no
/// TLS: refused with one clear line, never a silent fall back to clear text.
@Suite("PostgreSQL over TLS: require means require", .bounded)
struct PostgresTLSTests {
    @Test("a server without TLS, the ledger set to require it: the start is refused, saying so")
    func requireRefused() async throws {
        guard let url = TestPostgres.url else { try Test.cancel(TestPostgres.skipMessage) }
        var settings = try PostgresSettings(url: url)
        settings.tls = .require
        await #expect { _ = try await PostgresStore.open(settings) } throws: { error in
            let text = "\(error)"
            return text.contains("cannot be reached") && (text.lowercased().contains("tls") || text.lowercased().contains("ssl"))
        }
    }
}
