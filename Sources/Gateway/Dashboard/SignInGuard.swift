import ExchangeHTTP
import ExchangeProtocol
import Foundation
import HTTPTypes
import Hummingbird

/// What stops a sign-in that the person at the browser did not make (login CSRF, issue 35): a
/// `POST /login` from another origin (its `Origin` or `Sec-Fetch-Site` says so) is refused, and the
/// form carries a token that must match the cookie its `GET /login` set (double submit: a page of
/// another site can neither read the cookie nor guess the token).
///
/// ```swift
/// let (token, cookie) = SignInGuard.issue(secure: false)   // GET /login: in the form, and Set-Cookie
/// try SignInGuard.check(request, formToken: fields["csrf"]) // POST /login: 403 unless both agree
/// ```
enum SignInGuard {
    static let cookieName = "gateway_signin"

    /// A new form token and the cookie that carries it (HttpOnly, SameSite=Strict, for /login only).
    static func issue(secure: Bool) -> (token: String, cookie: Cookie) {
        var bytes = [UInt8](repeating: 0, count: 24)
        var random = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &random) }
        let token = RequestSignature.hex(bytes)
        return (token, Cookie(name: cookieName, value: token, maxAge: 3600, path: "/login", secure: secure, httpOnly: true, sameSite: .strict))
    }

    /// Refuses (403) a sign-in from another origin, or whose form token is not the one its cookie holds.
    static func check(_ request: Request, formToken: String?) throws {
        if request.headers[HTTPField.Name("Sec-Fetch-Site")!] == "cross-site" {
            throw Problem(.forbidden, "Sign-in from another site", "a sign-in is made from this gateway's own /login page")
        }
        if let origin = request.headers[HTTPField.Name("Origin")!], origin != "null" {
            let host = URL(string: origin).map { url in url.port.map { "\(url.host ?? ""):\($0)" } ?? (url.host ?? "") }
            guard let host, host == request.head.authority else {
                throw Problem(.forbidden, "Sign-in from another site", "a sign-in is made from this gateway's own /login page, not from \(origin.prefix(80))")
            }
        }
        guard let expected = request.cookies[cookieName]?.value, let formToken, !expected.isEmpty,
              expected.utf8.count == formToken.utf8.count, zip(expected.utf8, formToken.utf8).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else {
            throw Problem(.forbidden, "Sign-in form expired", "open /login again and sign in from its form")
        }
    }
}
