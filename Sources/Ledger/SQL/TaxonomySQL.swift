import Taxonomy

/// The imported taxonomy's statements, as both stores run them. Its rows are written one prepared
/// statement per row on SQLite and as `unnest` arrays on PostgreSQL (one statement per table).
enum TaxonomySQL {
    static let head: LedgerSQL = "SELECT imported_at, has_v3, v3_sources, has_v4, v4_sources FROM taxonomy_import"
    static let v3Entries: LedgerSQL = "SELECT code, label FROM rome_v3_entry ORDER BY code"
    static let v3Appellations: LedgerSQL = "SELECT ogr, fiche, label FROM rome_v3_appellation ORDER BY ogr"
    static let v4Codes: LedgerSQL = "SELECT code, parent, label FROM rome_v4_code ORDER BY code"
    static let v4Appellations: LedgerSQL = "SELECT ogr, code_rome, fiche, label FROM rome_v4_appellation ORDER BY ogr"

    /// Emptied before an import, children first.
    static let clear: [LedgerSQL] = ["DELETE FROM rome_v4_appellation", "DELETE FROM rome_v4_code", "DELETE FROM rome_v3_appellation",
                                     "DELETE FROM rome_v3_entry", "DELETE FROM taxonomy_import"]

    static func insertHead(_ taxonomy: ImportedTaxonomy) -> LedgerSQL {
        """
        INSERT INTO taxonomy_import (id, imported_at, has_v3, v3_sources, has_v4, v4_sources)
        VALUES (1, \(taxonomy.importedAt), \(taxonomy.v3 != nil ? 1 : 0), \(taxonomy.v3Sources.joined(separator: "\n")),
                \(taxonomy.v4 != nil ? 1 : 0), \(taxonomy.v4Sources.joined(separator: "\n")))
        """
    }
}
