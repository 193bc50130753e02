import ExchangeProtocol
import HTTPTypes
import Hummingbird

/// The answer to a request the router has no route for, as problem details: `405 Method Not
/// Allowed` with `Allow` when the path is an endpoint's and only the method is wrong, `404` when
/// no endpoint has that path. (The router itself answers both with an empty 404.)
public struct KnownRoutes<Context: RequestContext>: RouterMiddleware {
    /// Each endpoint's path split in segments (`{name}` stands for any one segment) and its methods.
    let endpoints: [(segments: [Substring], methods: [String])]

    public init(_ endpoints: [(method: String, path: String)]) {
        var byPath: [String: [String]] = [:]
        var order: [String] = []
        for e in endpoints {
            if byPath[e.path] == nil { order.append(e.path) }
            byPath[e.path, default: []].append(e.method)
        }
        self.endpoints = order.map { ($0.split(separator: "/"), byPath[$0]!) }
    }

    /// The methods of the endpoint whose path `path` is, if one is.
    func methods(of path: Substring) -> [String]? {
        let segments = path.split(separator: "/")
        return endpoints.first { e in
            e.segments.count == segments.count && zip(e.segments, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }?.methods
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path.split(separator: "?", maxSplits: 1).first ?? ""
            guard let allowed = methods(of: path), !allowed.contains(request.method.rawValue) else {
                return Problem(.notFound, "Not found", "no endpoint at this path; /openapi.yaml lists them").response
            }
            var problem = Problem(.methodNotAllowed, "Method not allowed", "this endpoint answers \(allowed.joined(separator: ", ")) only")
            problem.headers[.allow] = allowed.joined(separator: ", ")
            return problem.response
        }
    }
}
