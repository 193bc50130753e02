/// An employer named by its enterprise number.
public struct Employer: Hashable, Sendable {
    public var name: String
    public var enterpriseNumber: EnterpriseNumber

    public init(name: String, enterpriseNumber: EnterpriseNumber) {
        self.name = name
        self.enterpriseNumber = enterpriseNumber
    }
}

/// Where the work is done: a Belgian postcode and the municipality as given.
public struct Workplace: Hashable, Sendable {
    public var postcode: Postcode
    public var municipality: String

    public init(postcode: Postcode, municipality: String) {
        self.postcode = postcode
        self.municipality = municipality
    }

    public var region: Region { postcode.region }
}

/// A title with its description in one language.
public struct LocalizedText: Hashable, Sendable {
    public var language: LanguageCode
    public var title: String
    public var description: String?

    public init(language: LanguageCode, title: String, description: String? = nil) {
        self.language = language
        self.title = title
        self.description = description
    }

    /// The languages the exchange profile carries a vacancy's title and description in
    /// (`exchange-records.md` §2, `P.language`).
    public static let profileLanguages: Set<LanguageCode> = [.dutch, .french, .german]
}
