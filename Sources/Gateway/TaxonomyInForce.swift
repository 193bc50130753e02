import Foundation
import Ledger
import Taxonomy

/// The taxonomy a command works with: the shipped mappings, with the store's import in place of
/// the shipped codes where one was made.
public enum TaxonomyInForce {
    /// Loads it. A store path that does not exist yet means no import: nothing is created.
    public static func load(mappings: MappingsFolder, storePath: String?) throws -> Taxonomy {
        guard let storePath, FileManager.default.fileExists(atPath: storePath) else { return try Taxonomy(shipped: try mappings.shippedTaxonomy(), imported: nil) }
        return try Taxonomy(shipped: try mappings.shippedTaxonomy(), imported: try SQLiteStore(path: storePath).importedTaxonomy())
    }

    /// Loads it from a store already open (a running gateway's own).
    public static func load(mappings: MappingsFolder, store: (any TaxonomyStore)?) async throws -> Taxonomy {
        try Taxonomy(shipped: try mappings.shippedTaxonomy(), imported: try await store?.importedTaxonomy())
    }
}
