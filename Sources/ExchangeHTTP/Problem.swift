import ExchangeProtocol
import Foundation
import HTTPTypes
import Hummingbird

/// An error answer as RFC 9457 problem details (`application/problem+json`): type, title, status,
/// detail — no stack trace, no internal path, no secret.
///
/// A route throws it, as Hummingbird's `HTTPResponseError`, and the server answers with it:
///
/// ```swift
/// router.get("/admin/v1/batches/{batchId}") { request, context in
///     guard let detail = try await store.batch(id) else { throw Problem(.notFound, "No such batch", "…") }
///     return try json(detail)
/// }
/// ```
public struct Problem: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var title: String
    public var detail: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ title: String, _ detail: String) {
        self.status = status
        self.title = title
        self.detail = detail
    }

    /// The answer Hummingbird gives for the problem thrown by a route or a middleware.
    public func response(from request: Request, context: some RequestContext) throws -> Response { response }

    public var response: Response {
        let body: [String: Any] = ["type": "about:blank", "title": title, "status": status.code, "detail": detail]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
