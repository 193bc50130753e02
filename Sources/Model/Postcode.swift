/// A region of Belgium, as the postcode of a workplace places it.
public enum Region: String, Sendable, Hashable, CaseIterable, Codable {
    case brussels = "BRUSSELS"
    case flanders = "FLANDERS"
    case wallonia = "WALLONIA"
    /// The German-speaking Community: part of Wallonia for NUTS, a region of its own for the agencies.
    case germanSpeakingCommunity = "GERMAN_SPEAKING_COMMUNITY"

    /// NUTS level 1: Brussels `BE1`, Flanders `BE2`, Wallonia with the German-speaking Community `BE3`.
    public var nuts1: String {
        switch self {
        case .brussels: "BE1"
        case .flanders: "BE2"
        case .wallonia, .germanSpeakingCommunity: "BE3"
        }
    }
}

/// A Belgian postcode: four digits from 1000 to 9999.
public struct Postcode: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int

    public init?(rawValue: Int) {
        guard (1000...9999).contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public init(_ text: String, field: String = "postcode") throws(FieldError) {
        guard !text.isEmpty else { throw FieldError(field, .missingField, "the postcode is missing") }
        let b = Array(text.utf8)
        guard b.count == 4, let n = decimalValue(b[...]), let code = Postcode(rawValue: n) else {
            throw FieldError(field, .invalidPostcode, "'\(text.prefix(16))' is not a Belgian postcode (four digits, 1000 to 9999)")
        }
        self = code
    }

    /// 1000–1299 Brussels-Capital; 1300–1499 Wallonia; 1500–3999 Flanders; 4000–7999 Wallonia,
    /// of which 4700–4799 the German-speaking Community; 8000–9999 Flanders.
    public var region: Region {
        switch rawValue {
        case 1000...1299: .brussels
        case 1300...1499: .wallonia
        case 1500...3999: .flanders
        case 4700...4799: .germanSpeakingCommunity
        case 4000...7999: .wallonia
        default: .flanders
        }
    }

    public var description: String { String(rawValue) }
    public static func < (a: Postcode, b: Postcode) -> Bool { a.rawValue < b.rawValue }
}
