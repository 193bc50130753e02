import ExchangeHTTP
import ExchangeProtocol
import Foundation
import HTTPTypes
import Hummingbird
import Ledger

/// Who may call the admin and statistics routes: the operators' tokens in force, checked before
/// anything of the request is read, and refused tokens written to the audit log — by the
/// operator's name when the token is known but its role too low, else as `api:unknown token`,
/// counted by source address and minute (`RefusalTally`) — never with the token itself.
///
/// ```swift
/// let who = try await access.authorize(request, .operator)   // 401 or 403, audited, before the body
/// ```
public struct OperatorAccess: Sendable {
    /// The operators' tokens in force (read again at a reload).
    public let tokens: Reloadable<OperatorTokens>
    public let store: any LedgerStore
    public let refusals: RefusalTally

    public init(tokens: Reloadable<OperatorTokens>, store: any LedgerStore, refusals: RefusalTally) {
        self.tokens = tokens
        self.store = store
        self.refusals = refusals
    }

    /// The operator the request's `Authorization: Bearer` token names, if their role is at least `needed`.
    public func authorize(_ request: Request, _ needed: OperatorTokens.Role) async throws -> OperatorTokens.Operator {
        try await authorize(token: Self.bearer(request.headers[.authorization]), needed, at: request)
    }

    /// The operator `token` names (from a bearer header or a signed-in session), if their role is
    /// at least `needed`; a refusal is audited with the method and path (never the query).
    public func authorize(token: String?, _ needed: OperatorTokens.Role, at request: Request) async throws -> OperatorTokens.Operator {
        try await authorize(tokenHash: token.map(OperatorTokens.hash), needed, at: request)
    }

    /// As `authorize(token:_:at:)`, from the token's hash (what a signed-in session keeps).
    public func authorize(tokenHash: String?, _ needed: OperatorTokens.Role, at request: Request) async throws -> OperatorTokens.Operator {
        let tokens = self.tokens.value
        guard !tokens.isEmpty else { throw Problem(.unauthorized, "No operators", "this gateway has no operator tokens configured (operators.tokensFile)") }
        guard let tokenHash else {
            throw Problem(.unauthorized, "Not an operator", "send Authorization: Bearer <token> with a token from operators.tokensFile")
        }
        let target = Self.target(of: request)
        guard let who = tokens.check(hash: tokenHash) else {
            try await refused(actor: "api:unknown token", target: target, detail: "no operator has this token", at: request)
            throw Problem(.unauthorized, "Not an operator", "send Authorization: Bearer <token> with a token from operators.tokensFile")
        }
        guard who.role >= needed else {
            try await refused(actor: "api:\(who.name)", target: target, detail: "a \(who.role.rawValue) token; this needs \(needed.rawValue)", at: request)
            throw Problem(.forbidden, "Token not allowed", "\(who.name) has a \(who.role.rawValue) token; this needs \(needed.rawValue) or above")
        }
        return who
    }

    private func refused(actor: String, target: String, detail: String, at request: Request) async throws {
        let source = request.headers[HTTPField.Name(SourceAddress.header)!]
        for entry in await refusals.refused(actor: actor, target: target, detail: detail, source: source, now: Date()) {
            try await store.audit(entry, now: Date())
        }
    }

    /// What a refusal names: the method and path (never the query), cut to `maximumTarget`
    /// characters, so that requests with huge paths cannot fill the audit log.
    static func target(of request: Request) -> String {
        let path = request.uri.path
        let target = "\(request.method.rawValue) \(path.prefix(maximumTarget))"
        return path.count > maximumTarget ? target + "… (\(path.utf8.count) bytes)" : target
    }

    static let maximumTarget = 160

    static func bearer(_ header: String?) -> String? {
        guard let header, header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst(7))
    }
}
