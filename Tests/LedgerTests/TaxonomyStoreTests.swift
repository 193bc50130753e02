import Foundation
import GRDB
import Model
import Taxonomy
import Testing
@testable import Ledger

/// A store in a fresh temporary folder, removed when the test ends.
final class TemporaryStore {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)")
    var path: String { folder.appendingPathComponent("gateway.sqlite").path }
    deinit { try? FileManager.default.removeItem(at: folder) }
}

@Suite("SQLite store: taxonomy import")
struct TaxonomyStoreTests {
    static let sample = ImportedTaxonomy(
        importedAt: "2026-11-22T10:00:00Z",
        v3: RomeV3Content(entries: [RomeEntry(code: "H", label: "Industrie"), RomeEntry(code: "H29", label: "Mécanique"),
                                    RomeEntry(code: "H2913", label: "Soudage manuel")],
                          appellations: [Appellation(code: AppellationCode(rawValue: "19475")!, fiche: FicheCode(rawValue: "H2913")!, label: "Soudeur")]),
        v3Sources: ["arbo.csv"],
        v4: RomeV4Content(codes: [Rome4Code(code: "H2916", parent: FicheCode(rawValue: "H2913")!, label: "Soudeur TIG")],
                          appellations: [Rome4Appellation(code: AppellationCode(rawValue: "19475")!, rome4: "H2916",
                                                          fiche: FicheCode(rawValue: "H2913")!, label: "Soudeur")]),
        v4Sources: ["codes.csv", "appellations.csv"])

    @Test("a new store holds no import, runs its migrations and is in WAL mode")
    func fresh() throws {
        let temp = TemporaryStore()
        let store = try SQLiteStore(path: temp.path)
        #expect(try store.importedTaxonomy() == nil)
        #expect(try store.appliedMigrations() == ["0001-taxonomy-import", "0002-exchange-ledger", "0003-received-bodies-and-delivery", "0004-outbox", "0005-pickup-and-routing", "0006-operations", "0007-retention", "0008-statistics", "0009-statistics-by-record", "0010-pickup-in-parts", "0011-person-pseudonyms"])
        let mode = try store.database.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test("what is written is read back, also after reopening")
    func roundTrip() throws {
        let temp = TemporaryStore()
        try SQLiteStore(path: temp.path).replaceImportedTaxonomy(Self.sample)
        let reopened = try SQLiteStore(path: temp.path).importedTaxonomy()
        #expect(reopened?.sources == ["arbo.csv", "codes.csv", "appellations.csv"])
        #expect(Set(reopened?.v3?.entries ?? []) == Set(Self.sample.v3!.entries))
        #expect(reopened?.v3?.appellations == Self.sample.v3?.appellations)
        #expect(reopened?.v4 == Self.sample.v4)
    }

    @Test("a v3-only import stores no v4 content")
    func partial() throws {
        let temp = TemporaryStore()
        var v3Only = Self.sample
        v3Only.v4 = nil
        v3Only.v4Sources = []
        try SQLiteStore(path: temp.path).replaceImportedTaxonomy(v3Only)
        #expect(try SQLiteStore(path: temp.path).importedTaxonomy()?.v4 == nil)
    }

    @Test("a replacement that fails half-way leaves the previous import whole")
    func atomic() throws {
        let temp = TemporaryStore()
        let store = try SQLiteStore(path: temp.path)
        try store.replaceImportedTaxonomy(Self.sample)
        var broken = Self.sample
        broken.importedAt = "2026-11-23T10:00:00Z"
        broken.v3!.entries.append(RomeEntry(code: "H2913", label: "twice"))   // violates the primary key mid-write
        #expect(throws: DatabaseError.self) { try store.replaceImportedTaxonomy(broken) }
        let after = try store.importedTaxonomy()
        #expect(after?.importedAt == Self.sample.importedAt)
        #expect(after?.v3?.entries.count == 3)
        #expect(after?.v4 == Self.sample.v4)
    }
}
