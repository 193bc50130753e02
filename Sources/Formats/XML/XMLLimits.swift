/// What one record of an XML document may hold, so that a hostile document costs bounded memory:
/// each limit is far above what any record of the profile or of a regional format needs (a
/// vacancy is some dozens of elements, its longest text a description of a few kilobytes).
public struct XMLLimits: Sendable, Equatable {
    /// Elements in one record, itself included.
    public var elementsPerRecord = 10_000
    /// Elements nested in one record, itself the first level.
    public var depth = 32
    public var attributesPerElement = 64
    /// Bytes of one attribute's value (UTF-8).
    public var attributeBytes = 64 << 10
    /// Bytes of one element's own text (UTF-8).
    public var textBytes = 1 << 20

    public init() {}
}
