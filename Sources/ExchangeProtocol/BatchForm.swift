/// The two forms of an exchange batch's body (`exchange-protocol.md`, Content types): JSON, or the
/// HR Open XML form. Stored beside every body the ledger keeps.
public enum BatchForm: String, Sendable, Hashable, Codable, CaseIterable {
    case json, xml
}
