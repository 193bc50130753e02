import Crypto
import Foundation
import GRDB
import Ledger
import LedgerTestSupport
import Synchronization
import Testing

/// The payload key replaced: the new key seals, the retired one still opens what it sealed, and
/// `resealPayloads` moves everything to the new key, after which the old one is not needed.
@Suite("The payload key replaced, and the payloads moved to the new one", .bounded)
struct PayloadKeyTests {
    static let old = try! PayloadKey(material: Array(String(repeating: "a1", count: 32).utf8))
    static let new = try! PayloadKey(material: Array(String(repeating: "b2", count: 32).utf8))
    static let t0 = Date(timeIntervalSince1970: 1_795_000_000)
    static let trainee = Array(#"{"records":[{"person":"Lambert"}]}"#.utf8)

    @Test("sealed payloads name their key; the new key with the old retired reads both; reseal moves every one, then the old key is not needed", arguments: LedgerKind.allCases)
    func replaced(_ kind: LedgerKind) async throws {
        let ledger = try await TestLedger(kind, payloadKey: Self.old)
        let before = try await ledger.open()
        for i in 0..<5 {
            try await before.enqueue(batchId: "t\(i)", to: .vdab, recordType: .trainee, body: Self.trainee, form: .json, resubmissionOf: nil, now: Self.t0)
        }
        try await before.enqueue(batchId: "v0", to: .vdab, recordType: .vacancy, body: Array("{}".utf8), form: .json, resubmissionOf: nil, now: Self.t0)
        #expect(Self.old.id != Self.new.id && Self.old.idText.count == 16)

        // The new key alone cannot open what the old one sealed, and says which key it needs.
        let alone = try await ledger.open(payloadKey: Self.new)
        await #expect { _ = try await alone.body(ofSent: "t0") } throws: { "\($0)".contains(Self.old.idText) && "\($0)".contains("payloadRetiredKeyFiles") }
        // With the old one retired: read; new payloads sealed under the new key.
        let rotating = try await ledger.open(payloadKey: Self.new.retiring([Self.old]))
        #expect(try await rotating.body(ofSent: "t0")?.bytes == Self.trainee)
        try await rotating.enqueue(batchId: "t5", to: .vdab, recordType: .trainee, body: Self.trainee, form: .json, resubmissionOf: nil, now: Self.t0)
        #expect(try await alone.body(ofSent: "t5")?.bytes == Self.trainee)

        // Moved, two per transaction, with progress; again: nothing left to move.
        let seen = Progress()
        let report = try await rotating.resealPayloads(chunk: 2) { seen.add($0) }
        #expect(report == ResealReport(resealed: 5, unchanged: 2))
        #expect(seen.count == 4)
        #expect(try await rotating.resealPayloads(chunk: 2) { _ in } == ResealReport(resealed: 0, unchanged: 7))
        for i in 0..<6 { #expect(try await alone.body(ofSent: "t\(i)")?.bytes == Self.trainee) }
        #expect(try await alone.body(ofSent: "v0")?.bytes == Array("{}".utf8))
        // The old key alone no longer opens any of them.
        let oldAlone = try await ledger.open(payloadKey: Self.old)
        await #expect { _ = try await oldAlone.body(ofSent: "t0") } throws: { "\($0)".contains(Self.new.idText) }
        // Without a key there is nothing to seal with.
        let keyless = try await ledger.open(payloadKey: .some(nil))
        await #expect { _ = try await keyless.resealPayloads(chunk: 2) { _ in } } throws: { "\($0)".contains("no payload key is configured") }
    }

    @Test("a payload sealed before keys had ids (PESENC1) is read with the configured keys and moved to the new one")
    func unnamed() async throws {
        let ledger = try await TestLedger(.sqlite, payloadKey: Self.new)
        let store = try await ledger.open()
        try await store.enqueue(batchId: "t0", to: .vdab, recordType: .trainee, body: Self.trainee, form: .json, resubmissionOf: nil, now: Self.t0)
        // As the gateway sealed it before: the marker without an id, under the old key.
        let oldKey = SymmetricKey(data: SHA256.hash(data: Array(String(repeating: "a1", count: 32).utf8)))
        let legacy = Data("PESENC1\u{0}".utf8) + (try AES.GCM.seal(Self.trainee, using: oldKey).combined!)
        let database = try DatabaseQueue(path: ledger.folder + "/gateway.sqlite")
        try await database.write { db in try db.execute(sql: "UPDATE batch_body SET body = ? WHERE batch_id = 't0'", arguments: [legacy]) }
        try database.close()

        await #expect { _ = try await store.body(ofSent: "t0") } throws: { "\($0)".contains("cannot be opened with the configured payload keys") }
        let rotating = try await ledger.open(payloadKey: Self.new.retiring([Self.old]))
        #expect(try await rotating.body(ofSent: "t0")?.bytes == Self.trainee)
        #expect(try await rotating.resealPayloads(chunk: 10) { _ in } == ResealReport(resealed: 1, unchanged: 0))
        #expect(try await store.body(ofSent: "t0")?.bytes == Self.trainee)
    }
}

extension PayloadKeyTests {
    @Test("a sealed payload is bound to its batch and direction: swapped into another batch's row it no longer opens, and says so")
    func boundToItsPlace() async throws {
        let ledger = try await TestLedger(.sqlite, payloadKey: Self.new)
        let store = try await ledger.open()
        let other = Array(#"{"records":[{"person":"Dupont"}]}"#.utf8)
        try await store.enqueue(batchId: "t0", to: .vdab, recordType: .trainee, body: Self.trainee, form: .json, resubmissionOf: nil, now: Self.t0)
        try await store.enqueue(batchId: "t1", to: .vdab, recordType: .trainee, body: other, form: .json, resubmissionOf: nil, now: Self.t0)
        #expect(try await store.body(ofSent: "t0")?.bytes == Self.trainee)
        // Whoever can write to the database swaps the two bodies.
        let database = try DatabaseQueue(path: ledger.folder + "/gateway.sqlite")
        try await database.write { db in
            let t0 = try Data.fetchOne(db, sql: "SELECT body FROM batch_body WHERE batch_id = 't0'")!, t1 = try Data.fetchOne(db, sql: "SELECT body FROM batch_body WHERE batch_id = 't1'")!
            #expect(t0.starts(with: Data("PESENC3\u{0}".utf8) + Data(Self.new.id)))
            try db.execute(sql: "UPDATE batch_body SET body = ? WHERE batch_id = 't0'", arguments: [t1])
            try db.execute(sql: "UPDATE batch_body SET body = ? WHERE batch_id = 't1'", arguments: [t0])
        }
        try database.close()
        for id in ["t0", "t1"] {
            await #expect { _ = try await store.body(ofSent: id) } throws: { "\($0)".contains("not this row's") }
        }
        // And a reseal does not launder them: already under the key in force, they are left as
        // they are, and still do not open.
        #expect(try await store.resealPayloads(chunk: 10) { _ in } == ResealReport(resealed: 0, unchanged: 2))
        await #expect { _ = try await store.body(ofSent: "t0") } throws: { "\($0)".contains("not this row's") }
    }

    @Test("a payload sealed with a key id but no place (PESENC2, an older ledger) still opens, and reseal binds it to its place")
    func unbound() async throws {
        let ledger = try await TestLedger(.sqlite, payloadKey: Self.new)
        let store = try await ledger.open()
        try await store.enqueue(batchId: "t0", to: .vdab, recordType: .trainee, body: Self.trainee, form: .json, resubmissionOf: nil, now: Self.t0)
        let newKey = SymmetricKey(data: SHA256.hash(data: Array(String(repeating: "b2", count: 32).utf8)))
        let older = Data("PESENC2\u{0}".utf8) + Data(Self.new.id) + (try AES.GCM.seal(Self.trainee, using: newKey).combined!)
        let database = try DatabaseQueue(path: ledger.folder + "/gateway.sqlite")
        try await database.write { db in try db.execute(sql: "UPDATE batch_body SET body = ? WHERE batch_id = 't0'", arguments: [older]) }
        #expect(try await store.body(ofSent: "t0")?.bytes == Self.trainee)
        #expect(try await store.resealPayloads(chunk: 10) { _ in } == ResealReport(resealed: 1, unchanged: 0))
        let after = try await database.read { db in try Data.fetchOne(db, sql: "SELECT body FROM batch_body WHERE batch_id = 't0'")! }
        #expect(after.starts(with: Data("PESENC3\u{0}".utf8)))
        try database.close()
        #expect(try await store.body(ofSent: "t0")?.bytes == Self.trainee)
    }
}

/// The progress a reseal reported.
final class Progress: Sendable {
    private let seen = Mutex<[ResealReport]>([])
    func add(_ report: ResealReport) { seen.withLock { $0.append(report) } }
    var count: Int { seen.withLock { $0.count } }
}
