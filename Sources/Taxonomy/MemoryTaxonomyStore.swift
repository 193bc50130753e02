import Synchronization

/// A taxonomy store in memory, for tests and for a gateway run without a store.
public final class MemoryTaxonomyStore: TaxonomyStore {
    private let content: Mutex<ImportedTaxonomy?>

    public init(_ initial: ImportedTaxonomy? = nil) { content = Mutex(initial) }

    public func importedTaxonomy() throws -> ImportedTaxonomy? { content.withLock { $0 } }
    public func replaceImportedTaxonomy(_ taxonomy: ImportedTaxonomy) throws { content.withLock { $0 = taxonomy } }
}
