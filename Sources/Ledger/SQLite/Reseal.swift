import Foundation
import GRDB

/// Moving the stored payloads to a new payload key (`gateway keys reseal`).
extension SQLiteStore {
    public func resealPayloads(chunk: Int = 200, progress: @Sendable (ResealReport) -> Void = { _ in }) async throws -> ResealReport {
        guard let key = payloadKey else { throw PayloadError("no payload key is configured (payloadKeyFile): nothing to seal with") }
        var report = ResealReport()
        for place in LedgerSchema.sealedPlaces {
            let keys = try await database.read { db in
                try Row.fetchAll(db, sql: place.keys).map { row in ["k1", "k2", "k3"].compactMap { row[$0] as String? } }
            }
            for part in ResealReport.chunks(keys, of: chunk) {
                let counts = try await database.write { db -> ResealReport in
                    var counts = ResealReport()
                    for k in part {
                        guard let data = try Data.fetchOne(db, sql: place.read, arguments: StatementArguments(k)) else { continue }
                        let sealed = try PayloadSealing.reseal(data, key: key, at: place.place(k))
                        if let sealed {
                            try db.execute(sql: place.write, arguments: StatementArguments([sealed as any DatabaseValueConvertible] + k.map { $0 as any DatabaseValueConvertible }))
                        }
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
