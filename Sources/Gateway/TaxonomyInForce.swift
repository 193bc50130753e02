import Foundation
import Ledger
import Taxonomy

/// The taxonomy a command works with: the shipped mappings, with the store's import in place of
/// the shipped codes where one was made.
public enum TaxonomyInForce {
    /// The shipped mappings' taxonomy alone (no store, no import).
    ///
    /// Never inlined: inlined into an async function of this module (the benchmarks), its typed-throws
    /// call made the release build's compiler (Swift 6.3.1) crash in LLVM's coroutine splitting
    /// (`emitSetAndGetSwiftErrorValueAround`).
    @inline(never)
    public static func shipped(mappings: MappingsFolder) throws -> Taxonomy {
        try Taxonomy(shipped: try mappings.shippedTaxonomy(), imported: nil)
    }

    /// Loads it, reading the import from the SQLite store at `storePath`. A store path that does not
    /// exist yet means no import: nothing is created.
    public static func load(mappings: MappingsFolder, storePath: String?) async throws -> Taxonomy {
        guard let storePath, FileManager.default.fileExists(atPath: storePath) else { return try shipped(mappings: mappings) }
        return try await load(mappings: mappings, store: try SQLiteStore(path: storePath))
    }

    /// Loads it from a store already open (a running gateway's own).
    public static func load(mappings: MappingsFolder, store: (any TaxonomyStore)?) async throws -> Taxonomy {
        try Taxonomy(shipped: try mappings.shippedTaxonomy(), imported: try await store?.importedTaxonomy())
    }
}
