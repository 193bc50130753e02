import Foundation
import PostgresNIO

/// Moving the stored payloads to a new payload key (`gateway keys reseal`).
extension PostgresStore {
    public func resealPayloads(chunk: Int = 200, progress: @Sendable (ResealReport) -> Void = { _ in }) async throws -> ResealReport {
        guard let key = payloadKey else { throw PayloadError("no payload key is configured (payloadKeyFile): nothing to seal with") }
        var report = ResealReport()
        for place in LedgerSchema.sealedPlaces {
            let keys = try await autocommit { c in
                try await c.all(Self.query(place.keys, []), logger: statementLogger).map { row in
                    try ["k1", "k2", "k3"].filter { row.contains($0) }.map { try row.string($0) }
                }
            }
            for part in ResealReport.chunks(keys, of: chunk) {
                let counts = try await transaction { c -> ResealReport in
                    var counts = ResealReport()
                    for k in part {
                        guard let data = try await c.one(Self.query(place.read + " FOR UPDATE", k), logger: statementLogger)?.bytes("payload") else { continue }
                        let sealed = try PayloadSealing.reseal(data, key: key, at: place.place(k))
                        if let sealed { try await c.run(Self.query(place.write, payload: sealed, k)) }
                        counts.count(resealed: sealed != nil)
                    }
                    return counts
                }
                report += counts
                progress(report)
            }
        }
        return report
    }
}
