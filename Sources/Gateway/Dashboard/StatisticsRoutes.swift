import ExchangeHTTP
import ExchangeProtocol
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Ledger
import Model
import NIOCore
import Statistics
import Taxonomy

/// `GET /stats/vacancies|trainees|health` (JSON, as `gateway stats --format json`) and the
/// `/dashboard` page, for a `stats` token or above: `Authorization: Bearer`, or for a browser a
/// session opened at `/login` (`StaffSessions`) — never a token in the URL.
public struct StatisticsRoutes: Sendable {
    public let agency: Agency
    public let store: any LedgerStore
    public let taxonomy: Taxonomy
    /// The operators' tokens in force (read again at a reload).
    public let tokens: Reloadable<OperatorTokens>
    public let sessions: StaffSessions
    /// Trainee counts under this are shown as `<n>` to roles below operator (`statistics.minimumCell`).
    public var minimumCell = 5

    public static let endpoints: [(method: String, path: String)] = [
        ("GET", "/stats/vacancies"), ("GET", "/stats/trainees"), ("GET", "/stats/health"), ("GET", "/dashboard"),
        ("GET", "/login"), ("POST", "/login"), ("POST", "/logout"),
    ]

    public init(agency: Agency, store: any LedgerStore, taxonomy: Taxonomy, tokens: Reloadable<OperatorTokens>, sessions: StaffSessions) {
        self.agency = agency
        self.store = store
        self.taxonomy = taxonomy
        self.tokens = tokens
        self.sessions = sessions
    }

    /// Refused tokens, counted (the node's, shared with the admin routes).
    public var refusals = RefusalTally()
    /// Wrong tokens at `/login`, by source address (the node's).
    public var signIns = SignInThrottle()

    var access: OperatorAccess { OperatorAccess(tokens: tokens, store: store, refusals: refusals) }

    /// A bearer token if the request has one, else its session's (`sessionHash`, when looked up already).
    @discardableResult
    func authorize(_ request: Request, sessionHash: String?? = nil) async throws -> OperatorTokens.Operator {
        if request.headers[.authorization] != nil { return try await access.authorize(request, .stats) }
        let hash: String? = if let sessionHash { sessionHash } else { try await sessions.tokenHash(of: request) }
        return try await access.authorize(tokenHash: hash, .stats, at: request)
    }

    /// Trainee counts as `who` may see them: exact for operators, small cells protected below.
    func shown(_ table: StatisticsTable, to who: OperatorTokens.Operator) -> StatisticsTable {
        who.role >= .operator || table.subject != FlowQuery.Subject.trainees.rawValue ? table : table.protecting(minimumCell: minimumCell)
    }

    static func language(_ request: Request) throws -> LanguageCode {
        let asked = request.uri.queryParameters["lang"].map(String.init)
        if let asked, !["fr", "nl", "de"].contains(asked) { throw Problem(.badRequest, "Bad language", "lang is fr, nl or de") }
        return DashboardLabels.choose(query: asked, acceptLanguage: request.headers[.acceptLanguage])
    }

    static func page(_ html: String, status: HTTPResponse.Status = .ok, language: LanguageCode) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .contentLanguage: language.rawValue],
                 body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func redirect(to location: String, cookie: Cookie? = nil) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        if let cookie { response.setCookie(cookie) }
        return response
    }

    /// The fields of a sign-in form (`token=…&csrf=…`, form-encoded, at most 4 KiB).
    static func formFields(_ request: Request) async throws -> [String: String] {
        let body = String(buffer: try await request.body.collect(upTo: 4096))
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, fields[parts[0]] == nil else { continue }
            fields[parts[0]] = parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return fields
    }

    static func year(_ request: Request) throws -> Int? {
        guard let text = request.uri.queryParameters["year"].map(String.init), !text.isEmpty else { return nil }
        guard let y = Int(text), (1900...9999).contains(y) else { throw Problem(.badRequest, "Bad year", "year is a year such as 2019") }
        return y
    }

    func flows(_ subject: FlowQuery.Subject, _ request: Request, for who: OperatorTokens.Operator) async throws -> Response {
        let q = request.uri.queryParameters
        let by = try (q["by"].map(String.init) ?? "origin").split(separator: ",").map { name in
            guard let b = Breakdown(rawValue: String(name)) else { throw Problem(.badRequest, "Bad breakdown", "\(name.prefix(32)) is not a breakdown") }
            return b
        }
        guard let mode = CountingMode(rawValue: q["mode"].map(String.init) ?? "records") else {
            throw Problem(.badRequest, "Bad mode", "mode is records, messages or persons")
        }
        guard let direction = FlowQuery.Direction(rawValue: q["direction"].map(String.init) ?? "received") else {
            throw Problem(.badRequest, "Bad direction", "direction is received or sent")
        }
        let query: FlowQuery
        do { query = try FlowQuery(subject: subject, by: by, year: try Self.year(request), mode: mode, direction: direction) } catch let e as StatisticsError {
            throw Problem(.badRequest, "Bad breakdown", e.description)
        }
        do { return try AdminRoutes.json(shown(try await FlowStatistics(store: store, agency: agency).answer(query), to: who)) } catch let e as StatisticsError {
            throw Problem(.unprocessableContent, "Cannot count", e.description)
        }
    }

    public func addRoutes(to router: Router<some RequestContext>) {
        router.get("/stats/vacancies") { request, _ in
            return try await flows(.vacancies, request, for: try await authorize(request))
        }
        router.get("/stats/trainees") { request, _ in
            return try await flows(.trainees, request, for: try await authorize(request))
        }
        router.get("/stats/health") { request, _ in
            try await authorize(request)
            return try AdminRoutes.json(try await HealthStatistics(store: store).answer(year: try Self.year(request)))
        }
        router.get("/login") { request, _ in
            let language = try Self.language(request)
            let form = SignInGuard.issue(secure: sessions.secure)
            var response = Self.page(DashboardPage.signIn(agency: agency, labels: DashboardLabels(language: language), refused: false, waitSeconds: nil, formToken: form.token),
                                     language: language)
            response.setCookie(form.cookie)
            return response
        }
        router.post("/login") { request, _ in
            let language = try Self.language(request)
            let fields = try await Self.formFields(request)
            try SignInGuard.check(request, formToken: fields["csrf"])
            let source = request.headers[HTTPField.Name(SourceAddress.header)!]
            func again(_ status: HTTPResponse.Status, wait: TimeInterval?) -> Response {
                let form = SignInGuard.issue(secure: sessions.secure)
                var response = Self.page(DashboardPage.signIn(agency: agency, labels: DashboardLabels(language: language), refused: wait == nil, waitSeconds: wait.map { Int($0.rounded(.up)) },
                                                              formToken: form.token), status: status, language: language)
                response.setCookie(form.cookie)
                if let wait { response.headers[.retryAfter] = "\(Int(wait.rounded(.up)))" }
                return response
            }
            // A source that keeps sending wrong tokens waits, its tokens not even looked at.
            if let wait = await signIns.wait(source: source, now: Date()) { return again(.tooManyRequests, wait: wait) }
            let token = fields["token"]
            do {
                _ = try await access.authorize(token: token, .stats, at: request)
            } catch let problem as Problem where problem.status == .unauthorized || problem.status == .forbidden {
                if let wait = await signIns.failed(source: source, now: Date()) { return again(.tooManyRequests, wait: wait) }
                return again(problem.status, wait: nil)
            }
            await signIns.succeeded(source: source)
            let cookie = try await sessions.signIn(tokenHash: OperatorTokens.hash(token ?? ""))
            return Self.redirect(to: "/dashboard?lang=\(language.rawValue)", cookie: cookie)
        }
        router.post("/logout") { request, _ in
            Self.redirect(to: "/login", cookie: await sessions.signOut(request))
        }
        router.get("/dashboard") { request, _ in
            // A browser without a session is sent to sign in; a wrong bearer token is answered as elsewhere.
            let session = request.headers[.authorization] == nil ? try await sessions.tokenHash(of: request) : nil
            if request.headers[.authorization] == nil, session == nil {
                return Self.redirect(to: "/login?lang=\(try Self.language(request).rawValue)")
            }
            let who = try await authorize(request, sessionHash: .some(session))
            let year = try Self.year(request)
            let language = try Self.language(request)
            let statistics = FlowStatistics(store: store, agency: agency)
            let page = DashboardPage(
                agency: agency, labels: DashboardLabels(language: language), year: year,
                matrix: shown(try await statistics.matrix(year: year), to: who),
                overTime: try await statistics.answer(try FlowQuery(subject: .vacancies, by: [.month, .origin], year: year)),
                occupations: try await statistics.answer(try FlowQuery(subject: .vacancies, by: [.fiche], year: year)),
                health: try await HealthStatistics(store: store).answer(year: year), taxonomy: taxonomy)
            return Self.page(page.html, language: language)
        }
    }
}
