import Foundation
import Ledger
import Taxonomy

/// The taxonomy a command works with: the shipped mappings, with the store's import in place of
/// the shipped codes where one was made.
public enum TaxonomyInForce {
    /// Loads it. A store path that does not exist yet means no import: nothing is created.
    public static func load(mappings: MappingsFolder, storePath: String?) throws -> Taxonomy {
        let shipped = try mappings.shippedTaxonomy()
        var imported: ImportedTaxonomy?
        if let storePath, FileManager.default.fileExists(atPath: storePath) {
            imported = try SQLiteStore(path: storePath).importedTaxonomy()
        }
        return try Taxonomy(shipped: shipped, imported: imported)
    }
}
