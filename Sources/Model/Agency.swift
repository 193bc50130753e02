/// A public employment or training service, by its canonical code (`VDAB`, `FOREM`, …).
///
/// A value type rather than a closed enumeration: the five agencies of the protocol are named
/// below, and a further body is an entry of `mappings/agencies.yaml` (``AgencyDirectory``), not added here.
public struct Agency: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// Accepts a code of 2 to 16 upper-case letters, digits, `-` or `_`, starting with a letter.
    public init?(rawValue: String) {
        let bytes = Array(rawValue.utf8)
        guard (2...16).contains(bytes.count), let first = bytes.first, (65...90).contains(first),
              bytes.allSatisfy({ (65...90).contains($0) || (48...57).contains($0) || $0 == 45 || $0 == 95 })
        else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) { rawValue = known }

    public static let vdab = Agency(known: "VDAB")
    public static let forem = Agency(known: "FOREM")
    public static let actiris = Agency(known: "ACTIRIS")
    public static let adg = Agency(known: "ADG")
    public static let bf = Agency(known: "BF")

    public var description: String { rawValue }
    public static func < (a: Agency, b: Agency) -> Bool { a.rawValue < b.rawValue }
}
