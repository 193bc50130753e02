import Exchange
import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Model
import NIOCore
import Statistics
import Taxonomy

/// `GET /stats/vacancies|trainees|health` (JSON, as `gateway stats --format json`) and the
/// `/dashboard` page, for a `stats` token or above (`Authorization: Bearer`, or `?token=` for a
/// browser).
public struct StatisticsRoutes: Sendable {
    public let agency: Agency
    public let store: any LedgerStore
    public let taxonomy: Taxonomy
    /// The operators' tokens in force (read again at a reload).
    public let tokens: Reloadable<OperatorTokens>

    public static let endpoints: [(method: String, path: String)] = [
        ("GET", "/stats/vacancies"), ("GET", "/stats/trainees"), ("GET", "/stats/health"), ("GET", "/dashboard"),
    ]

    public init(agency: Agency, store: any LedgerStore, taxonomy: Taxonomy, tokens: Reloadable<OperatorTokens>) {
        self.agency = agency
        self.store = store
        self.taxonomy = taxonomy
        self.tokens = tokens
    }

    func authorize(_ request: Request) throws {
        let header = request.headers[.authorization] ?? request.uri.queryParameters["token"].map { "Bearer \($0)" }
        _ = try AdminRoutes.authorize(bearer: header, .stats, tokens: tokens.value)
    }

    static func year(_ request: Request) throws -> Int? {
        guard let text = request.uri.queryParameters["year"].map(String.init), !text.isEmpty else { return nil }
        guard let y = Int(text), (1900...9999).contains(y) else { throw Problem(.badRequest, "Bad year", "year is a year such as 2019") }
        return y
    }

    func flows(_ subject: FlowQuery.Subject, _ request: Request) async throws -> Response {
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
        do { return try AdminRoutes.json(try await FlowStatistics(store: store, agency: agency).answer(query)) } catch let e as StatisticsError {
            throw Problem(.unprocessableContent, "Cannot count", e.description)
        }
    }

    public func addRoutes(to router: Router<some RequestContext>) {
        router.get("/stats/vacancies") { request, _ in
            do { try authorize(request); return try await flows(.vacancies, request) } catch let problem as Problem { return problem.response }
        }
        router.get("/stats/trainees") { request, _ in
            do { try authorize(request); return try await flows(.trainees, request) } catch let problem as Problem { return problem.response }
        }
        router.get("/stats/health") { request, _ in
            do {
                try authorize(request)
                return try AdminRoutes.json(try await HealthStatistics(store: store).answer(year: try Self.year(request)))
            } catch let problem as Problem { return problem.response }
        }
        router.get("/dashboard") { request, _ in
            do {
                try authorize(request)
                let year = try Self.year(request)
                let asked = request.uri.queryParameters["lang"].map(String.init)
                if let asked, !["fr", "nl", "de"].contains(asked) { throw Problem(.badRequest, "Bad language", "lang is fr, nl or de") }
                let language = DashboardLabels.choose(query: asked, acceptLanguage: request.headers[.acceptLanguage])
                let statistics = FlowStatistics(store: store, agency: agency)
                let page = DashboardPage(
                    agency: agency, labels: DashboardLabels(language: language), year: year, token: request.uri.queryParameters["token"].map(String.init),
                    matrix: try await statistics.matrix(year: year),
                    overTime: try await statistics.answer(try FlowQuery(subject: .vacancies, by: [.month, .origin], year: year)),
                    occupations: try await statistics.answer(try FlowQuery(subject: .vacancies, by: [.fiche], year: year)),
                    health: try await HealthStatistics(store: store).answer(year: year), taxonomy: taxonomy)
                return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .contentLanguage: language.rawValue],
                                body: .init(byteBuffer: ByteBuffer(string: page.html)))
            } catch let problem as Problem { return problem.response }
        }
    }
}
