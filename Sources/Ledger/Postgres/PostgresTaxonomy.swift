import Foundation
import Model
import PostgresNIO
import Taxonomy

/// The imported official taxonomy, as `SQLiteStore` keeps it (see there).
extension PostgresStore: TaxonomyStore {
    public func importedTaxonomy() async throws -> ImportedTaxonomy? {
        try await autocommit { c -> ImportedTaxonomy? in
            guard let head = try await c.row(TaxonomySQL.head) else { return nil }
            var v3: RomeV3Content?, v4: RomeV4Content?
            if try head.int("has_v3") != 0 {
                let entries = try await c.rows(TaxonomySQL.v3Entries).map { RomeEntry(code: try $0.string("code"), label: try $0.string("label")) }
                let appellations = try await c.rows(TaxonomySQL.v3Appellations).map { row in
                    guard let code = AppellationCode(rawValue: try row.string("ogr")), let fiche = FicheCode(rawValue: try row.string("fiche")) else {
                        throw StoreError.corrupt("rome_v3_appellation holds a malformed row (\(try row.string("ogr")))")
                    }
                    return Appellation(code: code, fiche: fiche, label: try row.string("label"))
                }
                v3 = RomeV3Content(entries: entries, appellations: appellations)
            }
            if try head.int("has_v4") != 0 {
                let codes = try await c.rows(TaxonomySQL.v4Codes).map { row in
                    guard let parent = FicheCode(rawValue: try row.string("parent")) else {
                        throw StoreError.corrupt("rome_v4_code holds a malformed parent (\(try row.string("parent")))")
                    }
                    return Rome4Code(code: try row.string("code"), parent: parent, label: try row.string("label"))
                }
                let appellations = try await c.rows(TaxonomySQL.v4Appellations).map { row in
                    guard let code = AppellationCode(rawValue: try row.string("ogr")), let fiche = FicheCode(rawValue: try row.string("fiche")) else {
                        throw StoreError.corrupt("rome_v4_appellation holds a malformed row (\(try row.string("ogr")))")
                    }
                    return Rome4Appellation(code: code, rome4: try row.string("code_rome"), fiche: fiche, label: try row.string("label"))
                }
                v4 = RomeV4Content(codes: codes, appellations: appellations)
            }
            func lines(_ column: String) throws -> [String] { try head.string(column).split(separator: "\n").map(String.init) }
            return ImportedTaxonomy(importedAt: try head.string("imported_at"), v3: v3, v3Sources: try lines("v3_sources"), v4: v4, v4Sources: try lines("v4_sources"))
        }
    }

    public func replaceImportedTaxonomy(_ taxonomy: ImportedTaxonomy) async throws {
        try await transaction { c in
            for statement in TaxonomySQL.clear { try await c.change(statement) }
            try await c.change(TaxonomySQL.insertHead(taxonomy))
            if let v3 = taxonomy.v3 {
                try await c.run("""
                    INSERT INTO rome_v3_entry (code, label) SELECT * FROM unnest(\(v3.entries.map(\.code))::text[], \(v3.entries.map(\.label))::text[])
                    """)
                try await c.run("""
                    INSERT INTO rome_v3_appellation (ogr, fiche, label)
                    SELECT * FROM unnest(\(v3.appellations.map(\.code.rawValue))::text[], \(v3.appellations.map(\.fiche.rawValue))::text[], \(v3.appellations.map(\.label))::text[])
                    """)
            }
            if let v4 = taxonomy.v4 {
                try await c.run("""
                    INSERT INTO rome_v4_code (code, parent, label)
                    SELECT * FROM unnest(\(v4.codes.map(\.code))::text[], \(v4.codes.map(\.parent.rawValue))::text[], \(v4.codes.map(\.label))::text[])
                    """)
                try await c.run("""
                    INSERT INTO rome_v4_appellation (ogr, code_rome, fiche, label)
                    SELECT * FROM unnest(\(v4.appellations.map(\.code.rawValue))::text[], \(v4.appellations.map(\.rome4))::text[],
                                         \(v4.appellations.map(\.fiche.rawValue))::text[], \(v4.appellations.map(\.label))::text[])
                    """)
            }
        }
    }
}
