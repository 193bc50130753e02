import ExchangeHTTP
import ExchangeProtocol
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import LedgerTestSupport
import Model
import NIOCore
import Testing

/// Staff sign in to the dashboard with a session cookie, never a token in a URL; every answer of
/// the admin listener is kept by no cache and leaks no referrer; refused tokens, payload reads and
/// record-history lookups are audited; roles are checked before a body is read.
@Suite("Staff sign-in, private answers and the audit of access", .bounded)
struct StaffSignInTests {
    static func cookie(_ answer: HTTP.Answer) -> String? {
        answer.headers["Set-Cookie"].first { $0.hasPrefix("\(StaffSessions.cookieName)=") }
    }

    /// The sign-in form's token and the cookie that must come back with it (`GET /login`).
    static func signInForm(_ page: HTTP.Answer) throws -> (csrf: String, cookie: (String, String)) {
        let start = try #require(page.body.range(of: "name=\"csrf\" value=\""))
        let csrf = String(page.body[start.upperBound...].prefix { $0 != "\"" })
        let setCookie = try #require(page.headers["Set-Cookie"].first { $0.hasPrefix("gateway_signin=") }, "\(page.headers)")
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/login"), "\(setCookie)")
        #expect(setCookie.hasPrefix("gateway_signin=\(csrf);") && csrf.count == 48)
        return (csrf, ("Cookie", String(setCookie.prefix { $0 != ";" })))
    }

    static func privateHeaders(_ answer: HTTP.Answer) -> Bool {
        answer.headers.first(name: "Cache-Control") == "no-store" && answer.headers.first(name: "Referrer-Policy") == "no-referrer"
            && (answer.headers.first(name: "Content-Security-Policy") ?? "").hasPrefix("default-src 'none'")
    }

    @Test("POST /login gives an HttpOnly, SameSite=Strict session; the dashboard and statistics take it; ?token= is not taken; sign-out ends it",
          .timeLimit(.minutes(2)))
    func signIn() async throws {
        let temp = TemporaryFolder()
        let demo = Demo(project: Project.root, folder: temp.path("demo")) { _ in }
        let analyst = OperatorTokens.make(name: "analyst", role: .stats), alice = OperatorTokens.make(name: "alice", role: .operator)
        var forem = try #require(try demo.configurations().first { $0.agency == .forem })
        forem.operators = .of(analyst, alice)
        let network = try await LocalNetwork.start([forem], mappings: Project.mappings, scheduledPickup: false)
        let base = try #require(network.adminURLs[.forem])

        // Not signed in: to the sign-in page; a token in the URL opens nothing.
        let bare = try await HTTP.send(base + "/dashboard")
        #expect(bare.status == 303 && bare.headers.first(name: "Location") == "/login?lang=fr")
        #expect(try await HTTP.send(base + "/dashboard?token=\(analyst.token)").status == 303)
        #expect(try await HTTP.send(base + "/stats/vacancies?token=\(analyst.token)").status == 401)
        let page = try await HTTP.send(base + "/login?lang=nl")
        #expect(page.status == 200 && page.body.contains("<form method=\"post\" action=\"/login?lang=nl\"") && page.body.contains("type=\"password\""))
        #expect(Self.privateHeaders(page), "\(page.headers)")

        let (csrf, signInCookie) = try Self.signInForm(page)

        // Login CSRF: a sign-in without the form's token, with another one, or from another site is
        // refused before the token is looked at, and opens no session.
        let form = [("Content-Type", "application/x-www-form-urlencoded")]
        for (headers, body) in [(form, "token=\(analyst.token)"), (form + [signInCookie], "token=\(analyst.token)&csrf=\(String(repeating: "0", count: 48))"),
                                (form + [signInCookie, ("Origin", "http://evil.example")], "token=\(analyst.token)&csrf=\(csrf)"),
                                (form + [signInCookie, ("Sec-Fetch-Site", "cross-site")], "token=\(analyst.token)&csrf=\(csrf)")] {
            let forged = try await HTTP.send(base + "/login?lang=nl", method: "POST", headers: headers, body: Array(body.utf8))
            #expect(forged.status == 403 && Self.cookie(forged) == nil, "\(headers): \(forged.status) \(forged.body.prefix(300))")
        }

        // A wrong token: the page again, 401, audited without the token.
        let wrong = try await HTTP.send(base + "/login?lang=nl", method: "POST", headers: form + [signInCookie], body: Array("token=not-a-token-0123&csrf=\(csrf)".utf8))
        #expect(wrong.status == 401 && wrong.body.contains("id=\"refused\"") && Self.cookie(wrong) == nil)

        // The right one, from this gateway's own page (its Origin): a session cookie, and to the dashboard.
        let origin = ("Origin", String(base.prefix { $0 != "/" }) + "//" + String(base.dropFirst("http://".count)))
        let signed = try await HTTP.send(base + "/login?lang=nl", method: "POST", headers: form + [signInCookie, origin],
                                         body: Array("token=\(analyst.token)&csrf=\(csrf)".utf8))
        #expect(signed.status == 303 && signed.headers.first(name: "Location") == "/dashboard?lang=nl")
        let setCookie = try #require(Self.cookie(signed), "\(signed.headers)")
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && !setCookie.contains("Secure"), "\(setCookie)")
        #expect(!setCookie.contains(analyst.token))
        let session = [("Cookie", String(setCookie.prefix { $0 != ";" }))]
        let dashboard = try await HTTP.send(base + "/dashboard?lang=nl", headers: session)
        #expect(dashboard.status == 200 && dashboard.body.contains("Interregionale uitwisseling") && dashboard.body.contains("action=\"/logout\""))
        #expect(!dashboard.body.contains(analyst.token) && !dashboard.body.contains("token="))
        #expect(Self.privateHeaders(dashboard))
        let stats = try await HTTP.send(base + "/stats/vacancies", headers: session)
        #expect(stats.status == 200 && Self.privateHeaders(stats))
        // A stats session is no operator's.
        #expect(try await HTTP.send(base + "/admin/v1/batches", headers: session).status == 401)

        // Signed out: the cookie cleared, the session gone on the server too.
        let out = try await HTTP.send(base + "/logout", method: "POST", headers: session)
        #expect(out.status == 303 && out.headers.first(name: "Location") == "/login")
        #expect(Self.cookie(out).map { $0.contains("Max-Age=0") || $0.contains("Expires=") } == true, "\(out.headers)")
        #expect(try await HTTP.send(base + "/dashboard", headers: session).status == 303)
        #expect(try await HTTP.send(base + "/stats/vacancies", headers: session).status == 401)

        let audit = try await AdminAPITests.call("GET", base + "/admin/v1/audit", token: alice.token)
        #expect(audit.body.contains("refused-token") && audit.body.contains("api:unknown token") && audit.body.contains("POST /login"), "\(audit.body)")
        #expect(!audit.body.contains("not-a-token-0123"))
        try await network.stop()
    }

    @Test("every payload read and record-history lookup is audited, every refused token too; a read token cannot reconcile, refused before its body is read",
          .timeLimit(.minutes(2)))
    func auditedAccess() async throws {
        let temp = TemporaryFolder()
        let demo = Demo(project: Project.root, folder: temp.path("demo")) { _ in }
        #expect(try await demo.run(keepRunning: false).succeeded)
        let alice = OperatorTokens.make(name: "alice", role: .operator), bob = OperatorTokens.make(name: "bob", role: .read)
        var forem = try #require(try demo.configurations().first { $0.agency == .forem })
        forem.operators = .of(alice, bob)
        let network = try await LocalNetwork.start([forem], mappings: Project.mappings, scheduledPickup: false)
        let base = try #require(network.adminURLs[.forem]) + "/admin/v1"

        let batches = try await AdminAPITests.call("GET", base + "/batches?direction=out", token: bob.token)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(batches.body.utf8)) as? [[String: Any]])
        let vacancy = try #require(list.first { $0["recordType"] as? String == "vacancy" }?["batchId"] as? String, "\(batches.body.prefix(500))")
        #expect(try await AdminAPITests.call("GET", base + "/batches/\(vacancy)/payload", token: alice.token).status == 200)
        #expect(try await AdminAPITests.call("GET", base + "/records/FOREM/some-record", token: bob.token).status == 200)
        // A read token, with a body that is not even JSON: 403 (the role), not 400 (the body).
        #expect(try await AdminAPITests.call("POST", base + "/reconciliations", token: bob.token, body: "{not json").status == 403)
        #expect(try await AdminAPITests.call("GET", base + "/batches", token: "0123456789abcdef-guess").status == 401)

        let audit = try await AdminAPITests.call("GET", base + "/audit", token: bob.token).body
        #expect(audit.contains("\"read-payload\"") && audit.contains("vacancy batch, out") && audit.contains(vacancy), "\(audit)")
        #expect(audit.contains("\"record-history\"") && audit.contains("FOREM/some-record"))
        #expect(audit.contains("api:bob") && audit.contains("POST /admin/v1/reconciliations") && audit.contains("a read token; this needs operator"))
        #expect(audit.contains("GET /admin/v1/batches") && !audit.contains("0123456789abcdef-guess"))
        try await network.stop()
    }
}

extension StaffSignInTests {
    @Test("a session lives only as long as its token: removed at a reload, the session opens nothing; on TLS the cookie is Secure")
    func sessionEndsWithItsToken() async throws {
        let temp = TemporaryFolder()
        let store = try SQLiteStore(path: temp.path("forem.sqlite"))
        let analyst = OperatorTokens.make(name: "analyst", role: .stats), alice = OperatorTokens.make(name: "alice", role: .operator)
        let inForce = Reloadable(OperatorTokens.of(analyst, alice)), withoutAnalyst = OperatorTokens.of(alice)
        let router = Router()
        StatisticsRoutes(agency: .forem, store: store, taxonomy: Translation.taxonomy, tokens: inForce, sessions: StaffSessions(secure: true)).addRoutes(to: router)
        try await Application(router: router).test(.router) { client in
            let page = try await client.execute(uri: "/login", method: .get)
            let form = try #require(page.headers[values: .setCookie].first { $0.hasPrefix("gateway_signin=") })
            #expect(form.contains("Secure"), "\(form)")
            let csrf = String(form.dropFirst("gateway_signin=".count).prefix { $0 != ";" })
            let signed = try await client.execute(uri: "/login", method: .post,
                                                  headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "gateway_signin=\(csrf)"],
                                                  body: ByteBuffer(string: "token=\(analyst.token)&csrf=\(csrf)"))
            #expect(signed.status == .seeOther)
            let setCookie = try #require(signed.headers[values: .setCookie].first { $0.hasPrefix(StaffSessions.cookieName) })
            #expect(setCookie.contains("Secure") && setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), "\(setCookie)")
            let cookie = String(setCookie.prefix { $0 != ";" })
            #expect(try await client.execute(uri: "/stats/health", method: .get, headers: [.cookie: cookie]).status == .ok)
            // The tokens file read again without the analyst's line.
            inForce.replace(withoutAnalyst)
            #expect(try await client.execute(uri: "/stats/health", method: .get, headers: [.cookie: cookie]).status == .unauthorized)
            #expect(try await client.execute(uri: "/dashboard", method: .get, headers: [.cookie: cookie]).status == .unauthorized)
        }
        let audit = try await store.auditLog()
        #expect(audit.contains { $0.action == "refused-token" && $0.actor == "api:unknown token" && $0.target == "GET /stats/health" })
    }
}

extension StaffSignInTests {
    @Test("wrong tokens at /login: five answered 401, then each makes the address wait longer (429, Retry-After 1, 2, 4); while it waits even the right token is not looked at; after the wait it signs in",
          .timeLimit(.minutes(2)))
    func signInThrottled() async throws {
        let temp = TemporaryFolder()
        let demo = Demo(project: Project.root, folder: temp.path("demo")) { _ in }
        let analyst = OperatorTokens.make(name: "analyst", role: .stats)
        var forem = try #require(try demo.configurations().first { $0.agency == .forem })
        forem.operators = .of(analyst)
        let network = try await LocalNetwork.start([forem], mappings: Project.mappings, scheduledPickup: false)
        let base = try #require(network.adminURLs[.forem])
        let (csrf, signInCookie) = try Self.signInForm(try await HTTP.send(base + "/login?lang=de"))
        let form = [("Content-Type", "application/x-www-form-urlencoded"), signInCookie]
        func post(_ token: String) async throws -> HTTP.Answer {
            try await HTTP.send(base + "/login?lang=de", method: "POST", headers: form, body: Array("token=\(token)&csrf=\(csrf)".utf8))
        }
        for n in 1...5 {
            let wrong = try await post("wrong-\(n)")
            #expect(wrong.status == 401 && wrong.headers.first(name: "Retry-After") == nil, "attempt \(n): \(wrong.status)")
        }
        let sixth = try await post("wrong-6")
        #expect(sixth.status == 429 && sixth.headers.first(name: "Retry-After") == "1" && sixth.body.contains("id=\"wait\""), "\(sixth.status) \(sixth.headers)")
        #expect(sixth.body.contains("Zu viele falsche Token"))
        try await Task.sleep(for: .milliseconds(1_100))
        let seventh = try await post("wrong-7")
        #expect(seventh.status == 429 && seventh.headers.first(name: "Retry-After") == "2", "\(seventh.status) \(seventh.headers)")
        try await Task.sleep(for: .milliseconds(2_100))
        let asked = ContinuousClock.now   // the wait the eighth starts ends 4 s after this, or later
        let eighth = try await post("wrong-8")
        #expect(eighth.status == 429 && eighth.headers.first(name: "Retry-After") == "4", "\(eighth.status) \(eighth.headers)")
        // The right token while the address waits is not looked at (unless this machine was so slow
        // that the 4 s had passed by the time it was answered).
        let early = try await post(analyst.token)
        if ContinuousClock.now - asked < .seconds(4) {
            #expect(early.status == 429 && Self.cookie(early) == nil, "the right token, while the address waits: \(early.status)")
        } else {
            Issue.record("the eighth wrong token and the right one took \(ContinuousClock.now - asked) together: too slow to tell")
        }
        try await Task.sleep(for: .milliseconds(4_100))
        let signed = try await post(analyst.token)
        #expect(signed.status == 303 && Self.cookie(signed) != nil, "\(signed.status)")
        // Cleared by the right token: a wrong one is a first again.
        #expect(try await post("wrong-9").status == 401)
        try await network.stop()
    }
}
