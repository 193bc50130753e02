import HTTPTypes
import Hummingbird

/// What every answer of the admin listener carries, since its pages and JSON hold statistics,
/// names and batch payloads: not to be kept by a browser or a proxy (`Cache-Control: no-store`), no
/// address sent on when a link is followed (`Referrer-Policy: no-referrer`), and a
/// Content-Security-Policy that lets a page load nothing from anywhere — no script at all, only its
/// own inline style and SVG, and forms posted back to this listener.
struct PrivateAnswers<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String {
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do { response = try await next(request, context) } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.cacheControl] = "no-store"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return response
    }
}
