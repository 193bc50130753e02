import GRDB
import Model
import Taxonomy

extension SQLiteStore: TaxonomyStore {
    public func importedTaxonomy() async throws -> ImportedTaxonomy? {
        try await database.read { db -> ImportedTaxonomy? in
            guard let head = try db.row(TaxonomySQL.head) else {
                return nil
            }
            var v3: RomeV3Content?, v4: RomeV4Content?
            if head["has_v3"] as Bool {
                var entries: [RomeEntry] = [], appellations: [Appellation] = []
                let rows = try db.cursor(TaxonomySQL.v3Entries)
                while let row = try rows.next() { entries.append(RomeEntry(code: row[0], label: row[1])) }
                let apps = try db.cursor(TaxonomySQL.v3Appellations)
                while let row = try apps.next() {
                    guard let code = AppellationCode(rawValue: row[0]), let fiche = FicheCode(rawValue: row[1]) else {
                        throw StoreError.corrupt("rome_v3_appellation holds a malformed row (\(row[0] as String))")
                    }
                    appellations.append(Appellation(code: code, fiche: fiche, label: row[2]))
                }
                v3 = RomeV3Content(entries: entries, appellations: appellations)
            }
            if head["has_v4"] as Bool {
                var codes: [Rome4Code] = [], appellations: [Rome4Appellation] = []
                let rows = try db.cursor(TaxonomySQL.v4Codes)
                while let row = try rows.next() {
                    guard let parent = FicheCode(rawValue: row[1]) else {
                        throw StoreError.corrupt("rome_v4_code holds a malformed parent (\(row[1] as String))")
                    }
                    codes.append(Rome4Code(code: row[0], parent: parent, label: row[2]))
                }
                let apps = try db.cursor(TaxonomySQL.v4Appellations)
                while let row = try apps.next() {
                    guard let code = AppellationCode(rawValue: row[0]), let fiche = FicheCode(rawValue: row[2]) else {
                        throw StoreError.corrupt("rome_v4_appellation holds a malformed row (\(row[0] as String))")
                    }
                    appellations.append(Rome4Appellation(code: code, rome4: row[1], fiche: fiche, label: row[3]))
                }
                v4 = RomeV4Content(codes: codes, appellations: appellations)
            }
            func lines(_ column: String) -> [String] { (head[column] as String).split(separator: "\n").map(String.init) }
            return ImportedTaxonomy(importedAt: head["imported_at"], v3: v3, v3Sources: lines("v3_sources"),
                                    v4: v4, v4Sources: lines("v4_sources"))
        }
    }

    public func replaceImportedTaxonomy(_ taxonomy: ImportedTaxonomy) async throws {
        try await database.write { db in
            for statement in TaxonomySQL.clear { try db.change(statement) }
            try db.change(TaxonomySQL.insertHead(taxonomy))
            if let v3 = taxonomy.v3 {
                let entry = try db.makeStatement(sql: "INSERT INTO rome_v3_entry (code, label) VALUES (?, ?)")
                for e in v3.entries { try entry.execute(arguments: [e.code, e.label]) }
                let appellation = try db.makeStatement(sql: "INSERT INTO rome_v3_appellation (ogr, fiche, label) VALUES (?, ?, ?)")
                for a in v3.appellations { try appellation.execute(arguments: [a.code.rawValue, a.fiche.rawValue, a.label]) }
            }
            if let v4 = taxonomy.v4 {
                let code = try db.makeStatement(sql: "INSERT INTO rome_v4_code (code, parent, label) VALUES (?, ?, ?)")
                for c in v4.codes { try code.execute(arguments: [c.code, c.parent.rawValue, c.label]) }
                let appellation = try db.makeStatement(sql: "INSERT INTO rome_v4_appellation (ogr, code_rome, fiche, label) VALUES (?, ?, ?, ?)")
                for a in v4.appellations { try appellation.execute(arguments: [a.code.rawValue, a.rome4, a.fiche.rawValue, a.label]) }
            }
        }
    }
}
