import Model

/// A taxonomy file that cannot be used, with the file and line at fault.
public typealias TaxonomyError = SourceFault
