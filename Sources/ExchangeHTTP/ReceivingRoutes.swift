import ExchangeProtocol
import Formats
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Model
import NIOCore
import Taxonomy

/// The receiving side of `be-pes-exchange/1`: `POST /exchange/v1/batches`,
/// `GET /exchange/v1/batches/{batchId}/receipt` and `GET /exchange/v1/health`, answering every
/// fault with the status and problem body the protocol gives it.
public struct ReceivingGateway: Sendable {
    public static let maximumBody = 16 << 20

    /// A peer as the receiving side knows it: the keys of the pair (peer → us) that its requests
    /// may be signed with (the current one, and the next while a rotation is under way), the record
    /// types it may send here, and the client certificate it must present over mutual TLS.
    public struct Peer: Sendable {
        public var signatures: [RequestSignature]
        public var receives: Set<RecordType>
        public var certificate: CertificatePin?
        /// The networks its connections come from (`peers.X.from`); empty: any.
        public var networks: [SourceNetwork]
        public init(signature: RequestSignature, next: RequestSignature? = nil, receives: Set<RecordType> = Set(RecordType.allCases),
                    certificate: CertificatePin? = nil, networks: [SourceNetwork] = []) {
            self.signatures = [signature] + (next.map { [$0] } ?? [])
            self.receives = receives
            self.certificate = certificate
            self.networks = networks
        }

        /// Whether a connection from `address` may be this peer's (nil: the listener did not say).
        public func admits(_ address: SourceAddress?) -> Bool {
            networks.isEmpty || address.map { a in networks.contains { $0.contains(a) } } ?? false
        }
    }

    /// This gateway's own agency: batches must name it as their receiver.
    public let agency: Agency
    /// The peers in force (replaced when keys and certificates are read again).
    public let directory: Reloadable<[Agency: Peer]>
    public var peers: [Agency: Peer] { directory.value }
    public let store: any ReceivedBatchStore
    public let taxonomy: Taxonomy
    public let clock: @Sendable () -> Date
    /// Called once a new batch's receipt is committed, with its accepted records (delivery to the
    /// back office).
    public let afterReceipt: @Sendable (StoredBatch) async -> Void
    public let observer: any ExchangeObserver
    /// Refusals anyone can cause are logged once a minute per peer (or "unknown") and status, the rest counted.
    let refusalLog = LogSampler()
    /// How many batches are taken at once, and whether the gateway is shutting down (429, 503).
    public let admission: Admission
    /// What the back office's format makes of each record, before the receipt (none: every valid
    /// record is taken as it is).
    public let delivery: (any DeliveryCheck)?
    /// The agencies a batch may name (`mappings/agencies.yaml`).
    public let agencies: AgencyDirectory

    public init(agency: Agency, peers: [Agency: Peer], store: any ReceivedBatchStore, taxonomy: Taxonomy,
                clock: @escaping @Sendable () -> Date = { Date() }, afterReceipt: @escaping @Sendable (StoredBatch) async -> Void = { _ in },
                observer: any ExchangeObserver = NoObserver(), admission: Admission = Admission(), delivery: (any DeliveryCheck)? = nil,
                agencies: AgencyDirectory = .profile) {
        self.init(agency: agency, directory: Reloadable(peers), store: store, taxonomy: taxonomy, clock: clock, afterReceipt: afterReceipt,
                  observer: observer, admission: admission, delivery: delivery, agencies: agencies)
    }

    public init(agency: Agency, directory: Reloadable<[Agency: Peer]>, store: any ReceivedBatchStore, taxonomy: Taxonomy,
                clock: @escaping @Sendable () -> Date = { Date() }, afterReceipt: @escaping @Sendable (StoredBatch) async -> Void = { _ in },
                observer: any ExchangeObserver = NoObserver(), admission: Admission = Admission(), delivery: (any DeliveryCheck)? = nil,
                agencies: AgencyDirectory = .profile) {
        self.agencies = agencies
        self.delivery = delivery
        self.observer = observer
        self.admission = admission
        self.agency = agency
        self.directory = directory
        self.store = store
        self.taxonomy = taxonomy
        self.clock = clock
        self.afterReceipt = afterReceipt
    }

    /// The endpoints these routes serve, as the OpenAPI document must describe them.
    public static let endpoints: [(method: String, path: String)] = [
        ("GET", "/exchange/v1/health"), ("POST", "/exchange/v1/batches"), ("GET", "/exchange/v1/batches/{batchId}/receipt"),
        ("GET", "/exchange/v1/manifest"),
    ]

    public func addRoutes(to router: Router<some RequestContext>) {
        router.get("/exchange/v1/manifest") { request, _ in
            let (caller, key) = try authenticated(request, bodySha256: Self.emptySha256)
            let parameters = request.uri.queryParameters
            // `since` is required; `until` defaults to now (exchange-protocol.md, Manifest).
            guard let sinceText = parameters["since"].map(String.init), let since = Instant.parse(sinceText) else {
                throw Problem(.badRequest, "Bad window", "since is required, an RFC 3339 instant with Z or an offset")
            }
            let untilText = parameters["until"].map(String.init) ?? Instant.text(clock())
            guard let until = Instant.parse(untilText) else {
                throw Problem(.badRequest, "Bad window", "until, when given, is an RFC 3339 instant with Z or an offset")
            }
            guard since <= until else { throw Problem(.badRequest, "Bad window", "since is after until") }
            let manifest = Manifest(sender: caller.rawValue, receiver: agency.rawValue, since: sinceText, until: untilText,
                                    batches: try await store.manifest(from: caller, since: since, until: until))
            return answer(try WireJSON.encode(manifest), to: request, signedWith: key)
        }
        router.get("/exchange/v1/health") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        router.post("/exchange/v1/batches") { request, context in
            // Once a large body's buffers are freed (when this closure returns), the memory goes back.
            let large = (request.headers[.contentLength].flatMap(Int.init) ?? MemoryReturn.largeBody) >= MemoryReturn.largeBody
            defer { if large { MemoryReturn.afterLargeBody() } }
            do {
                // Nothing is taken or read for a request whose headers do not name a known peer, a
                // readable timestamp inside the window and a well-formed signature.
                let form: BatchForm, caller: Agency
                do {
                    form = try contentForm(request)
                    caller = try preauthenticate(request)
                    try admit(caller, bytes: request.headers[.contentLength].flatMap(Int.init) ?? 0)
                } catch {
                    await Self.readAwaySmallBody(request)
                    throw error
                }
                defer { admission.leave(caller) }
                return try await receive(request, form: form, caller: caller, logger: context.logger)
            } catch let problem as Problem {
                let sender = request.headers[HTTPField.Name(RequestSignature.senderHeader)!].flatMap(Agency.init(rawValue:))
                observer.batchReceived(from: sender, type: nil, result: String(problem.status.code), counts: nil)
                // Refusals before a sender is known to be who it says (401, 403) or of load (429,
                // 503) are anyone's to make: sampled. The others come from a peer that signed.
                let peer = sender.flatMap { peers[$0] == nil ? nil : $0.rawValue } ?? "unknown"
                let anyones = [401, 403, 429, 503].contains(problem.status.code)
                if let held = anyones ? refusalLog.admit("\(peer) \(problem.status.code)", now: Date()) : 0 {
                    context.logger.notice("batch refused", metadata: ["peer": "\(peer)", "status": "\(problem.status.code)", "title": "\(problem.title)",
                                                                     "held_back": "\(held)"])
                }
                return problem.response
            }
        }
        router.get("/exchange/v1/batches/{batchId}/receipt") { request, context in
            let (caller, key) = try authenticated(request, bodySha256: Self.emptySha256)
            let batchId = context.parameters.get("batchId") ?? ""
            guard let receipt = try await store.receipt(ofReceived: batchId, from: caller) else {
                throw Problem(.notFound, "No such batch", "no batch \(batchId.prefix(64)) was received from \(caller)")
            }
            return answer(try WireJSON.encode(receipt), to: request, signedWith: key)
        }
    }

    /// A body refused unread is read away first when it is declared small (at most 64 KiB), so
    /// that the sender, still writing it, reads the refusal instead of a connection reset; a
    /// larger one is answered at once, and the connection's limits see its rest drained or closed.
    static func readAwaySmallBody(_ request: Request) async {
        guard let length = request.headers[.contentLength].flatMap(Int.init), length <= 64 << 10 else { return }
        _ = try? await request.body.collect(upTo: 64 << 10)
    }

    /// The body, up to `maximumBody`. A body over it is refused (413) once up to `drainedAfterRefusal`
    /// more bytes were read away and dropped: a sender a little over the limit, still writing, then
    /// reads the refusal instead of a connection reset; an endless one is cut off there.
    static func collect(_ body: RequestBody) async throws -> ByteBuffer {
        var collected = ByteBuffer(), over = 0
        for try await var chunk in body {
            if over == 0 && collected.readableBytes + chunk.readableBytes <= maximumBody {
                collected.writeBuffer(&chunk)
            } else {
                over += chunk.readableBytes
                if over > drainedAfterRefusal { break }
            }
        }
        guard over == 0 else { throw Problem(.contentTooLarge, "Batch too large", "the body is over \(maximumBody) bytes") }
        return collected
    }

    static let drainedAfterRefusal = 1 << 20

    /// Takes a place for one batch of `caller`'s, or refuses it as the protocol says: 429 when
    /// saturated (in all, or for this peer), 503 when shutting down, both with `Retry-After`.
    func admit(_ caller: Agency, bytes: Int = 0) throws {
        switch admission.enter(caller, bytes: bytes) {
        case nil: return
        case .overQuota(let shortfall)?:
            let quota = admission.quota!
            let said = shortfall.what == .batches ? "\(quota.batchesPerMinute) batches" : "\(quota.bytesPerMinute >> 20) MiB of batches"
            var problem = Problem(.tooManyRequests, "Over quota", "this gateway takes \(said) a minute from \(caller) (receiving.quota); try again in \(shortfall.seconds) s")
            problem.headers[.retryAfter] = String(shortfall.seconds)
            throw problem
        case .diskLow(let free)?:
            var problem = Problem(.serviceUnavailable, "Disk nearly full",
                                  "the disk holding this gateway's ledger has \(free >> 20) MiB free, below its floor of \(admission.diskFloor >> 20) MiB "
                                  + "(receiving.freeDiskMegabytes): nothing is received until an operator makes room")
            problem.headers[.retryAfter] = "60"
            throw problem
        case .saturated?:
            var problem = Problem(.tooManyRequests, "Saturated", "this gateway takes \(admission.capacity) batches at a time; try again later")
            problem.headers[.retryAfter] = String(admission.retryAfterSaturated)
            throw problem
        case .peerSaturated?:
            var problem = Problem(.tooManyRequests, "Saturated", "this gateway takes \(admission.perPeer) batches at a time from \(caller); try again later")
            problem.headers[.retryAfter] = String(admission.retryAfterSaturated)
            throw problem
        case .shuttingDown?:
            var problem = Problem(.serviceUnavailable, "Shutting down", "this gateway is stopping; try again later")
            problem.headers[.retryAfter] = String(admission.retryAfterShutdown)
            throw problem
        }
    }

    /// The batch's form from its headers, and a body that may be read: 415 for another content type
    /// or an encoding, 413 for a declared length over the limit (before anything is read).
    func contentForm(_ request: Request) throws -> BatchForm {
        let contentType = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let form: BatchForm
        switch contentType {
        case "application/json": form = .json
        case "application/xml", "text/xml": form = .xml
        default: throw Problem(.unsupportedMediaType, "Unsupported content type", "a batch is application/json or application/xml, not \(contentType.map { String($0.prefix(64)) } ?? "none")")
        }
        // Bodies are taken as sent: no decompression, so no gzip bomb can grow inside the gateway.
        if let encoding = request.headers[.contentEncoding], encoding.lowercased() != "identity" {
            throw Problem(.unsupportedMediaType, "Unsupported content encoding", "a batch is sent uncompressed, not as \(encoding.prefix(32))")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maximumBody {
            throw Problem(.contentTooLarge, "Batch too large", "the body is \(length) bytes; at most \(Self.maximumBody) are taken")
        }
        return form
    }

    func receive(_ request: Request, form: BatchForm, caller preauthenticated: Agency, logger: Logger) async throws -> Response {
        let buffer = try await Self.collect(request.body)
        let body = [UInt8](buffer: buffer)
        if request.headers[.contentLength] == nil { admission.charge(preauthenticated, bytes: body.count) }
        let bodySha256 = sha256Hex(body)   // once: for the signature and the ledger
        let (caller, key) = try authenticated(request, bodySha256: bodySha256)
        assert(caller == preauthenticated)

        var batch: (envelope: [String: String], sender: Agency, records: [Decoded])
        do {
            batch = try ExchangeFormat.readBatch(body, form: form, taxonomy: taxonomy, agencies: agencies)
        } catch {
            switch error.kind {
            case .malformed: throw Problem(.badRequest, "Malformed batch", error.description)
            case .unsupported: throw Problem(.unprocessableContent, "Unsupported batch", error.description)
            case .tooLarge: throw Problem(.contentTooLarge, "Batch too large", error.description)
            }
        }
        guard batch.sender == caller else {
            throw Problem(.forbidden, "Sender mismatch", "the request is signed by \(caller) but the batch's sender is \(batch.sender)")
        }
        guard batch.envelope["receiver"] == agency.rawValue else {
            throw Problem(.unprocessableContent, "Wrong receiver", "this gateway is \(agency)'s; the batch is for \(batch.envelope["receiver"] ?? "nobody")")
        }
        let type = batch.envelope["recordType"].flatMap(RecordType.init(rawValue:)) ?? .vacancy
        guard peers[caller]?.receives.contains(type) == true else {
            throw Problem(.forbidden, "Record type not allowed", "\(caller) → \(agency) is not agreed for \(type.rawValue) records")
        }
        if let delivery { batch.records.screen(by: delivery) }
        let incoming = IncomingBatch(batchId: batch.envelope["batchId"] ?? "", sender: batch.sender, recordType: type,
                                     bodySha256: bodySha256, receivedAt: clock(), records: batch.records, body: body, form: form)
        var log = logger
        log[metadataKey: "batch"] = "\(incoming.batchId)"
        log[metadataKey: "peer"] = "\(caller)"
        switch try await store.receive(incoming) {
        case .stored(let receipt, let accepted):
            log.info("batch received", metadata: ["type": "\(type.rawValue)", "result": "\(receipt.result)", "accepted": "\(receipt.counts.accepted)",
                                                  "duplicates": "\(receipt.counts.duplicates)", "rejected": "\(receipt.counts.rejected)"])
            // The receipt is committed; delivering to the back office comes after, and a gateway
            // that stops before delivers on its next start.
            await afterReceipt(StoredBatch(batchId: incoming.batchId, sender: caller, recordType: type,
                                           accepted: accepted.compactMap { incoming.records[$0].record }, positions: accepted))
            observer.batchReceived(from: caller, type: type, result: receipt.result, counts: receipt.counts)
            return answer(try WireJSON.encode(receipt), to: request, signedWith: key)
        case .replayed(let receipt):
            log.info("batch replayed: the stored receipt is answered again")
            observer.batchReceived(from: caller, type: type, result: "replayed", counts: nil)
            var response = answer(try WireJSON.encode(receipt), to: request, signedWith: key)
            response.headers[HTTPField.Name("X-PES-Replayed")!] = "true"
            return response
        case .conflict:
            log.notice("batch id reused with another body")
            throw Problem(.conflict, "Batch id reused", "batch \(incoming.batchId) was received before with another body")
        }
    }

    /// The digest of an empty body (the signed GET requests').
    static let emptySha256 = sha256Hex([UInt8]())

    /// The calling peer as its headers name it — a known peer, a timestamp inside the window, a
    /// signature of the right form — before a place is taken or its body read (401 otherwise; what
    /// the server then reads of the body, it discards, at the listener's minimum rate). The
    /// signature itself needs the body: `authenticate`.
    func preauthenticate(_ request: Request) throws -> Agency {
        let (sender, _) = try peer(of: request)
        do throws(RequestSignature.Failure) {
            try RequestSignature.precheck(timestamp: request.headers[HTTPField.Name(RequestSignature.timestampHeader)!],
                                          signature: request.headers[HTTPField.Name(RequestSignature.signatureHeader)!], now: clock())
        } catch {
            throw Self.problem(error)
        }
        return sender
    }

    /// The peer a request's `X-PES-Sender` names, as it is known here: 401 for a sender that is not
    /// a peer, 403 for a connection whose client certificate is not the one agreed for it or that
    /// comes from outside the peer's networks.
    func peer(of request: Request) throws -> (Agency, Peer) {
        guard let senderText = request.headers[HTTPField.Name(RequestSignature.senderHeader)!] else {
            throw Problem(.unauthorized, "Unsigned request", "the request has no \(RequestSignature.senderHeader) header")
        }
        guard let sender = Agency(rawValue: senderText), let peer = peers[sender] else {
            throw Problem(.unauthorized, "Unknown sender", "\(senderText.prefix(32)) is not a peer of this gateway")
        }
        if let pin = peer.certificate {
            let presented = request.headers[HTTPField.Name(ClientCertificate.sha256Header)!].map {
                ClientCertificate(sha256: $0, commonName: request.headers[HTTPField.Name(ClientCertificate.commonNameHeader)!])
            }
            guard pin.admits(presented) else {
                throw Problem(.forbidden, "Wrong client certificate", presented == nil
                              ? "\(sender) must present its client certificate on this connection"
                              : "the client certificate of this connection is not the one agreed for \(sender)")
            }
        }
        let address = request.headers[HTTPField.Name(SourceAddress.header)!].flatMap(SourceAddress.init)
        guard peer.admits(address) else {
            // The networks themselves are not said: an operator reads them in the configuration.
            throw Problem(.forbidden, "Wrong source address", "\(sender)'s connections must come from the networks agreed for it (peers.\(sender).from); "
                          + "this one comes from \(address?.description ?? "an address the listener did not give")")
        }
        return (sender, peer)
    }

    /// The calling peer, once its signature (with any of the pair's keys in force) and timestamp
    /// check out (401 otherwise), and the key that verified it (the key its 200 answer is signed with).
    func authenticated(_ request: Request, bodySha256: String) throws -> (peer: Agency, key: RequestSignature) {
        let header = { (name: String) in request.headers[HTTPField.Name(name)!] }
        let (sender, peer) = try peer(of: request)
        let pathWithQuery = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        var failure = RequestSignature.Failure.badSignature
        for signature in peer.signatures {
            do throws(RequestSignature.Failure) {
                try signature.verify(method: request.method.rawValue, pathWithQuery: pathWithQuery, timestamp: header(RequestSignature.timestampHeader),
                                     signature: header(RequestSignature.signatureHeader), bodySha256: bodySha256, now: clock())
                return (sender, signature)
            } catch {
                failure = error
                if error != .badSignature { break }   // no other key makes a missing header or an old timestamp right
            }
        }
        throw Self.problem(failure)
    }

    /// A signature's fault as the protocol answers it.
    static func problem(_ failure: RequestSignature.Failure) -> Problem {
        let detail: String
        switch failure {
        case .missingHeader(let name): detail = "the request has no \(name) header"
        case .malformedSignature: detail = "the signature is not hmac-sha256= and 64 lower-case hex digits"
        case .badSignature: detail = "the signature does not match"
        case .timestampUnreadable: detail = "the timestamp is not RFC 3339"
        case .outsideWindow(let seconds): detail = "the timestamp is \(seconds) s away from this gateway's clock; at most \(Int(RequestSignature.window)) are allowed"
        }
        return Problem(.unauthorized, "Bad signature", detail)
    }

    /// A 200 answer (a receipt, a stored receipt, a manifest) to a signed request, signed with the
    /// key that verified the request and bound to the request's own signature (clarification 13).
    /// A peer that does not know signed answers ignores the two headers.
    func answer(_ body: Data, to request: Request, signedWith key: RequestSignature) -> Response {
        let timestamp = Instant.text(clock())
        let requestSignature = request.headers[HTTPField.Name(RequestSignature.signatureHeader)!] ?? ""
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[HTTPField.Name(RequestSignature.timestampHeader)!] = timestamp
        headers[HTTPField.Name(RequestSignature.signatureHeader)!] = key.signAnswer(status: 200, requestSignature: requestSignature, timestamp: timestamp,
                                                                                   bodySha256: sha256Hex(body))
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
