import ExchangeHTTP
import ExchangeProtocol
import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Model
import NIOCore

/// The operators' HTTP API: the same views and actions as `gateway batches`, `gateway records` and
/// `gateway reconcile`, with the same JSON. Every call carries `Authorization: Bearer <token>`;
/// `read` tokens list and show, `operator` tokens also read payloads, reconcile, resubmit and repair.
/// Actions, payload reads and record-history lookups go to the audit log under the operator's name,
/// refused tokens too (`OperatorAccess`); the role is checked before a body is read.
public struct AdminRoutes: Sendable {
    public let store: any LedgerStore
    public let resubmission: Resubmission
    public let reconciliation: Reconciliation
    /// The operators' tokens in force (read again at a reload).
    public let tokens: Reloadable<OperatorTokens>
    /// Reads the keys, certificates and tokens again (`GatewayNode.reload`).
    public let reload: @Sendable () async throws -> ReloadReport
    /// Refused tokens, counted (the node's, shared with the statistics routes).
    public var refusals = RefusalTally()

    public static let endpoints: [(method: String, path: String)] = [
        ("GET", "/admin/v1/batches"), ("GET", "/admin/v1/batches/{batchId}"), ("POST", "/admin/v1/batches/{batchId}/resubmit"),
        ("POST", "/admin/v1/resubmissions"), ("GET", "/admin/v1/batches/{batchId}/payload"), ("GET", "/admin/v1/records/{agency}/{recordId}"), ("POST", "/admin/v1/reconciliations"),
        ("GET", "/admin/v1/audit"), ("POST", "/admin/v1/reload"),
    ]

    public init(store: any LedgerStore, resubmission: Resubmission, reconciliation: Reconciliation, tokens: Reloadable<OperatorTokens>,
                reload: @escaping @Sendable () async throws -> ReloadReport = { throw GatewayError("nothing to read again") }) {
        self.reload = reload
        self.store = store
        self.resubmission = resubmission
        self.reconciliation = reconciliation
        self.tokens = tokens
    }

    /// What a resubmission did, batch by batch.
    public struct ResubmissionResult: Codable, Sendable, Equatable {
        public struct Item: Codable, Sendable, Equatable {
            public var batchId: String
            public var peer: String
            public var refusal: String?
            public var records: Int
            public var stillFailing: [String]
            public var newBatchIds: [String]
            public var sent: Bool
        }
        public var dryRun: Bool
        public var batches: [Item]
    }

    struct ResubmitBody: Decodable {
        var reason: String?
        var dryRun: Bool?
        var failed: Bool?
        var rejectedRecords: Bool?
        var peer: String?
        var since: String?
        var until: String?
    }

    struct ReconcileBody: Decodable {
        var peer: String
        var since: String
        var until: String?
        var repair: Bool?
        var reason: String?
    }

    func authorize(_ request: Request, _ needed: OperatorTokens.Role) async throws -> OperatorTokens.Operator {
        try await OperatorAccess(tokens: tokens, store: store, refusals: refusals).authorize(request, needed)
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// An agency named in a query (`peer`), if any: a peer to filter by, or the sender that chooses
    /// between two received batches of one id.
    static func peer(_ text: String?) throws -> Agency? {
        guard let text else { return nil }
        guard let agency = Agency(rawValue: text.uppercased()) else { throw Problem(.badRequest, "Bad peer", "\(text.prefix(32)) is not an agency") }
        return agency
    }

    static func instant(_ text: String?, _ name: String) throws -> Date? {
        guard let text else { return nil }
        if let d = OperatorInstant.parse(text) { return d }
        throw Problem(.badRequest, "Bad \(name)", "\(name) is a date (2026-11-22) or an RFC 3339 instant")
    }

    static func body<T: Decodable>(_ request: Request, as: T.Type) async throws -> T {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        do { return try JSONDecoder().decode(T.self, from: Data(buffer: buffer)) } catch {
            throw Problem(.badRequest, "Bad request body", "expected JSON: \(String(describing: error).prefix(200))")
        }
    }

    func resubmit(_ ids: [String], dryRun: Bool, reason: String?, actor: String) async throws -> ResubmissionResult {
        if !dryRun && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw Problem(.badRequest, "Reason required", "say why in \"reason\": it is written to the audit log")
        }
        var items: [ResubmissionResult.Item] = []
        for id in ids {
            let p = try await resubmission.plan(id)
            var sent = false
            if !dryRun && p.refusal == nil && p.records > 0 { sent = try await resubmission.commit(p, actor: actor, reason: reason ?? "") }
            items.append(.init(batchId: id, peer: p.peer, refusal: p.refusal, records: p.records, stillFailing: p.stillFailing.map { "\($0.recordId): \($0.reason)" },
                               newBatchIds: sent ? p.newBatchIds : [], sent: sent))
        }
        return ResubmissionResult(dryRun: dryRun, batches: items)
    }

    public func addRoutes(to router: Router<some RequestContext>) {
        router.get("/admin/v1/batches") { request, _ in
            _ = try await authorize(request, .read)
            let q = request.uri.queryParameters
            var filter = BatchFilter(since: try Self.instant(q["since"].map(String.init), "since"), until: try Self.instant(q["until"].map(String.init), "until"))
            if let state = q["state"].map(String.init) {
                guard let s = BatchFilter.State(rawValue: state) else { throw Problem(.badRequest, "Bad state", "state is one of \(BatchFilter.State.allCases.map(\.rawValue).joined(separator: ", "))") }
                filter.state = s
            }
            filter.peer = try Self.peer(q["peer"].map(String.init))
            if let direction = q["direction"].map(String.init) {
                guard let d = BatchDirection(rawValue: direction) else { throw Problem(.badRequest, "Bad direction", "direction is in or out") }
                filter.direction = d
            }
            return try Self.json(try await store.batches(filter))
        }
        router.get("/admin/v1/batches/{batchId}") { request, context in
            _ = try await authorize(request, .read)
            let id = context.parameters.get("batchId") ?? ""
            guard let detail = try await store.batch(id, peer: try Self.peer(request.uri.queryParameters["peer"].map(String.init))) else { throw Problem(.notFound, "No such batch", "no batch \(id.prefix(64)) in this gateway's ledger") }
            return try Self.json(detail)
        }
        router.get("/admin/v1/batches/{batchId}/payload") { request, context in
            let who = try await authorize(request, .operator)
            let id = context.parameters.get("batchId") ?? ""
            guard let direction = BatchDirection(rawValue: request.uri.queryParameters["direction"].map(String.init) ?? "out") else {
                throw Problem(.badRequest, "Bad direction", "direction is in or out")
            }
            let peer = try Self.peer(request.uri.queryParameters["peer"].map(String.init))
            guard let type = try await store.recordType(of: id, direction: direction, peer: peer) else {
                throw Problem(.notFound, "No such batch", "no batch \(id.prefix(64)) \(direction == .received ? "received" : "sent") in this gateway's ledger")
            }
            // A trainee batch's payload holds names and national numbers: granted apart.
            guard type != .trainee || who.grants.contains(.traineePayloads) else {
                try await store.audit(AuditEntry(actor: "api:\(who.name)", action: "refused-payload", target: id, reason: nil,
                                                 detail: "trainee batch, \(direction.rawValue): no trainee-payloads grant"), now: Date())
                throw Problem(.forbidden, "Trainee payloads not granted", "\(who.name)'s token does not carry the trainee-payloads grant")
            }
            guard let payload = try await store.payload(of: id, direction: direction, peer: peer) else {
                throw Problem(.gone, "Payload removed", "batch \(id.prefix(64))'s payload was removed by retention; its metadata stays")
            }
            try await store.audit(AuditEntry(actor: "api:\(who.name)", action: "read-payload", target: id, reason: nil, detail: "\(type.rawValue) batch, \(direction.rawValue)"), now: Date())
            return Response(status: .ok, headers: [.contentType: payload.form == .json ? "application/json" : "application/xml"],
                            body: .init(byteBuffer: ByteBuffer(bytes: payload.bytes)))
        }
        router.post("/admin/v1/batches/{batchId}/resubmit") { request, context in
            let who = try await authorize(request, .operator)
            let body = try await Self.body(request, as: ResubmitBody.self)
            return try Self.json(try await resubmit([context.parameters.get("batchId") ?? ""], dryRun: body.dryRun ?? false, reason: body.reason, actor: "api:\(who.name)"))
        }
        router.post("/admin/v1/resubmissions") { request, _ in
            let who = try await authorize(request, .operator)
            let body = try await Self.body(request, as: ResubmitBody.self)
            guard body.failed == true || body.rejectedRecords == true else {
                throw Problem(.badRequest, "Nothing selected", "select with \"failed\": true and/or \"rejectedRecords\": true")
            }
            var filter = BatchFilter(direction: .sent, since: try Self.instant(body.since, "since"), until: try Self.instant(body.until, "until"))
            filter.peer = try Self.peer(body.peer)
            filter.notResubmitted = true
            filter.limit = 100_000
            var ids: [String] = []
            if body.failed == true { filter.state = .failed; ids += try await store.batches(filter).map(\.batchId) }
            if body.rejectedRecords == true { filter.state = .rejectedRecords; ids += try await store.batches(filter).map(\.batchId) }
            return try Self.json(try await resubmit(ids.reversed(), dryRun: body.dryRun ?? false, reason: body.reason, actor: "api:\(who.name)"))
        }
        router.get("/admin/v1/records/{agency}/{recordId}") { request, context in
            let who = try await authorize(request, .read)
            guard let agency = context.parameters.get("agency").flatMap({ Agency(rawValue: $0.uppercased()) }) else {
                throw Problem(.badRequest, "Bad agency", "the path names an agency: VDAB, FOREM, ACTIRIS, ADG or BF")
            }
            let recordId = context.parameters.get("recordId") ?? ""
            let history = try await store.history(origin: agency, recordId: recordId)
            try await store.audit(AuditEntry(actor: "api:\(who.name)", action: "record-history", target: "\(agency.rawValue)/\(recordId.prefix(64))", reason: nil,
                                             detail: nil), now: Date())
            return try Self.json(history)
        }
        router.post("/admin/v1/reconciliations") { request, _ in
            // Reconciling calls the peer and may repair: an operator's, known before the body is read.
            let who = try await authorize(request, .operator)
            let body = try await Self.body(request, as: ReconcileBody.self)
            guard let peer = Agency(rawValue: body.peer.uppercased()) else { throw Problem(.badRequest, "Bad peer", "\(body.peer.prefix(32)) is not an agency") }
            if body.repair == true && (body.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw Problem(.badRequest, "Reason required", "say why in \"reason\" when repairing: it is written to the audit log")
            }
            do {
                let report = try await reconciliation.run(peer: peer, since: try Self.instant(body.since, "since")!, until: try Self.instant(body.until, "until") ?? Date(),
                                                          repair: body.repair ?? false, actor: "api:\(who.name)", reason: body.reason)
                return try Self.json(report)
            } catch let error as GatewayError {
                throw Problem(.unprocessableContent, "Cannot reconcile", error.description)
            } catch let error as PeerClientError {
                throw Problem(.badGateway, "Peer did not answer", error.description)
            }
        }
        router.post("/admin/v1/reload") { request, _ in
            let who = try await authorize(request, .operator)
            let report: ReloadReport
            do { report = try await reload() } catch {
                throw Problem(.unprocessableContent, "Not reloaded", "nothing changed: \(error)")
            }
            try await store.audit(AuditEntry(actor: "api:\(who.name)", action: "reload", target: "configuration", reason: nil,
                                             detail: report.keys.map { "\($0.direction): \($0.inForce)" }.joined(separator: "; ")), now: Date())
            return try Self.json(report)
        }
        router.get("/admin/v1/audit") { request, _ in
            _ = try await authorize(request, .read)
            // Newest first, a page at a time: `before` the id of the last entry of the page before.
            let q = request.uri.queryParameters
            var filter = AuditFilter(actor: q["actor"].map(String.init), action: q["action"].map(String.init),
                                     since: try Self.instant(q["since"].map(String.init), "since"), until: try Self.instant(q["until"].map(String.init), "until"))
            if let before = q["before"].map(String.init) {
                guard let id = Int64(before), id > 0 else { throw Problem(.badRequest, "Bad page", "before is the id of an audit entry, a positive whole number") }
                filter.before = id
            }
            if let limit = q["limit"].map(String.init) {
                guard let n = Int(limit), (1...AuditFilter.maximumLimit).contains(n) else {
                    throw Problem(.badRequest, "Bad limit", "limit is a whole number from 1 to \(AuditFilter.maximumLimit)")
                }
                filter.limit = n
            }
            // The refusals counted so far are written first, so that the log read is whole.
            for entry in await refusals.flush(now: Date(), all: true) { try await store.audit(entry, now: Date()) }
            return try Self.json(try await store.auditLog(filter))
        }
    }
}
