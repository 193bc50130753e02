import Foundation
import Hummingbird
import HummingbirdAuth

/// Staff signed in to the dashboard without a token in any URL: `POST /login` with the token gives
/// a session cookie (hummingbird-auth's `SessionStorage`: a random id, `HttpOnly`,
/// `SameSite=Strict`, `Secure` on TLS) that lives `lifetime`; `POST /logout` ends it. The session
/// keeps the token's hash, never the token, and is checked against the tokens in force at every
/// request, so a token removed at a reload ends its sessions too.
///
/// ```swift
/// let sessions = StaffSessions(secure: listener.tls != nil)
/// let cookie = try await sessions.signIn(tokenHash: OperatorTokens.hash(token))   // Set-Cookie
/// let hash = try await sessions.tokenHash(of: request)                            // nil: not signed in
/// ```
public struct StaffSessions: Sendable {
    struct Session: Codable, Sendable { var tokenHash: String }

    public static let cookieName = "gateway_session"
    public let lifetime: Duration
    /// Whether its cookies are `Secure` (the listener has TLS).
    public let secure: Bool
    let storage: SessionStorage<Session>

    /// Sessions kept in memory (a restart signs everyone out), on a listener with TLS or without.
    public init(secure: Bool, lifetime: Duration = .seconds(30 * 60), driver: any PersistDriver = MemoryPersistDriver()) {
        self.lifetime = lifetime
        self.secure = secure
        storage = SessionStorage(driver, configuration: .init(sessionCookieParameters: .init(name: Self.cookieName, path: "/", secure: secure, sameSite: .strict)))
    }

    /// A new session for the token of this hash, and the cookie that carries it.
    func signIn(tokenHash: String) async throws -> Cookie {
        try await storage.save(session: Session(tokenHash: tokenHash), expiresIn: lifetime)
    }

    /// The hash of the token the request's session was opened with; nil without a live session.
    func tokenHash(of request: Request) async throws -> String? {
        try? await storage.load(request: request)?.tokenHash
    }

    /// Ends the request's session; the cookie that clears it in the browser (nil: there was none).
    func signOut(_ request: Request) async -> Cookie? {
        try? await storage.delete(request: request)
    }
}
