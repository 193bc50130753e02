import AsyncHTTPClient
import ExchangeHTTP
import ExchangeProtocol
import Files
import Formats
import Foundation
import Ledger
import Model
import NIOCore
import Synchronization
import Taxonomy

/// Hands accepted records to the agency's back office, as one document in the agency's own format
/// per batch, then notes it in the ledger.
///
/// - A drop folder gets the document written atomically (a temporary file, flushed, then renamed)
///   under a name made of the sender and the batch id, so delivering a batch again after a crash
///   rewrites the same file: the back office never sees a record twice or half a file.
/// - An endpoint gets the document POSTed, with the batch id in `X-Gateway-Batch-Id` for the back
///   office to recognise a repeat; any 2xx is delivered, anything else is tried again later.
public struct BackOfficeDelivery: Sendable {
    /// The agency whose back office this is (the receiver of what is delivered).
    public var agency: Agency
    public var backOffice: GatewayConfiguration.BackOffice
    /// The agency's own format for each record type (`vdab`, `forem`, …, or `exchange-json`).
    public var formats: [RecordType: String]
    public let catalog: FormatCatalog
    public let taxonomy: Taxonomy
    public let ledger: any DeliveryLedger
    public var http: HTTPClient = OutgoingHTTP.shared
    /// The token and client certificate the back office's endpoint is called with (`delivery.tokenFile`,
    /// `delivery.certificate`), read again at a reload.
    public var access = Reloadable(EndpointAccess.none)
    /// The modes of the drop folder and what is written there (`files.group`).
    public var fileModes = FileModes.ownerOnly
    /// Batches being delivered right now, so that a catch-up pass never delivers one twice at once.
    private let inHand = InHand()
    /// Deliveries of batches just received, one after another behind their receipts.
    private let line = DeliveryLine()

    public init(agency: Agency, backOffice: GatewayConfiguration.BackOffice, formats: [RecordType: String], catalog: FormatCatalog,
                taxonomy: Taxonomy, ledger: any DeliveryLedger) {
        self.agency = agency
        self.backOffice = backOffice
        self.formats = formats
        self.catalog = catalog
        self.taxonomy = taxonomy
        self.ledger = ledger
    }

    public init(agency: Agency, folder: String, formats: [RecordType: String], catalog: FormatCatalog, taxonomy: Taxonomy, ledger: any DeliveryLedger) {
        self.init(agency: agency, backOffice: .dropFolder(folder), formats: formats, catalog: catalog, taxonomy: taxonomy, ledger: ledger)
    }

    /// Delivers a batch just received, from its records as decoded then (no second reading of its
    /// body), unless it was delivered meanwhile; returns where it went.
    @discardableResult
    public func deliver(_ stored: StoredBatch, now: Date = Date()) async throws -> String? {
        guard inHand.take(stored.batchId, from: stored.sender) else { return nil }
        defer { inHand.give(stored.batchId, from: stored.sender) }
        return try await handOver(stored, now: now)
    }

    /// Delivers a batch just received behind its receipt (`DeliveryLine`): returns once the batch
    /// received before it is delivered, while this one is delivered on; `failed` hears a delivery
    /// that failed (the catch-up pass tries it again).
    public func deliverBehindReceipt(_ stored: StoredBatch, now: Date, failed: @escaping @Sendable (any Error) -> Void) async {
        guard inHand.take(stored.batchId, from: stored.sender) else { return }
        await line.enqueue { [self] in
            defer { inHand.give(stored.batchId, from: stored.sender) }
            do { _ = try await handOver(stored, now: now) } catch { failed(error) }
        }
    }

    /// Waits until every batch handed to `deliverBehindReceipt` so far is delivered or failed.
    public func finishDeliveries() async { await line.drain() }

    private func handOver(_ stored: StoredBatch, now: Date) async throws -> String? {
        guard try await !ledger.isDelivered(stored.batchId, from: stored.sender) else { return nil }
        return try await hand(Array(zip(stored.positions, stored.accepted)), batchId: stored.batchId, sender: stored.sender, recordType: stored.recordType, now: now)
    }

    /// Delivers one batch if it is still pending, reading its records again from the body kept in
    /// the ledger (after a crash, or a back office that did not answer); returns where it went (nil:
    /// nothing to deliver).
    @discardableResult
    public func deliver(_ batchId: String, from sender: Agency, now: Date = Date()) async throws -> String? {
        guard inHand.take(batchId, from: sender) else { return nil }
        defer { inHand.give(batchId, from: sender) }
        guard try await ledger.claimDelivery(batchId, from: sender, now: now),
              let pending = try await ledger.pendingDelivery(batchId, from: sender) else { return nil }
        let decoded = try ExchangeFormat.readBatch(pending.body, form: pending.form, taxonomy: taxonomy, agencies: catalog.agencies)
        var records: [(position: Int, record: CanonicalRecord)] = []
        for (i, d) in decoded.records.enumerated() where pending.accepted.contains(i) {
            // A record accepted at its receipt that no longer reads (the taxonomy or the agency
            // directory changed since) stops the delivery, which stays pending for an operator,
            // rather than leaving the record out.
            guard let record = d.record else {
                let fault = d.errors.first.map { ": \($0.field) \($0.code.rawValue): \($0.message)" } ?? ""
                throw GatewayError("record \(d.recordId) of batch \(batchId), accepted at its receipt, no longer reads\(fault); the delivery waits for an operator")
            }
            records.append((i, record))
        }
        return try await hand(records, batchId: batchId, sender: pending.sender, recordType: pending.recordType, now: now)
    }

    /// Writes or posts the records (with their positions in the batch) in the agency's format, then
    /// notes the batch delivered, with what the format lost of each.
    private func hand(_ records: [(position: Int, record: CanonicalRecord)], batchId: String, sender: Agency, recordType: RecordType,
                      now: Date) async throws -> String? {
        guard let name = formats[recordType], let format = catalog.format(name, type: recordType) else {
            throw GatewayError("no back-office format is configured for \(recordType.rawValue) records")
        }
        guard !records.isEmpty else {
            try await ledger.markDelivered(batchId, from: sender, to: "(no record accepted)", at: now, losses: [])   // nothing accepted: nothing to hand over
            return nil
        }
        let xml = (format as? FormatMapping)?.syntax == .xml || name == "exchange-xml"
        var losses: [RecordLosses] = []
        func render(into out: ByteWriter) throws {
            losses = []
            let writer = try format.writing(out, taxonomy: taxonomy, envelope: EnvelopeFields(receiver: agency, batchId: batchId))
            try writer.begin(sender: sender, created: now)
            for (position, record) in records {
                let written = writer.write(record)
                // Every record was asked before its receipt (`faults`): one the format cannot hold
                // now (its mappings or taxonomy changed since) stops the delivery, which stays
                // pending for an operator, rather than leaving the record out.
                if let fault = written.errors.first {
                    throw GatewayError("record \(record.owner)/\(record.id) of batch \(batchId) no longer fits the \(name) format: \(fault.field) \(fault.code.rawValue): \(fault.message)")
                }
                if !written.losses.isEmpty { losses.append(RecordLosses(index: position, recordId: record.id.rawValue, losses: written.losses)) }
            }
            writer.end()
        }
        let destination: String
        switch backOffice {
        case .dropFolder(let folder):
            destination = try write(folder: folder, name: "\(sender.rawValue.lowercased())-\(batchId).\(xml ? "xml" : "json")", render)
        case .endpoint(let url):
            let out = ByteWriter()
            try render(into: out)
            out.flush()
            try await post(out.collected, to: url, xml: xml, batchId: batchId, sender: sender)
            destination = url
        }
        try await ledger.markDelivered(batchId, from: sender, to: destination, at: now, losses: losses)
        return destination
    }

    /// The document written into the drop folder through one descriptor (`PrivateFiles`): mode
    /// 0600 (0640 with `files.group`), a link planted or swapped in refused, renamed when whole; the
    /// folder itself not a link, and neither it nor its parent writable by others (`CheckedFolder`).
    private func write(folder: String, name: String, _ render: (ByteWriter) throws -> Void) throws -> String {
        let target = LocalFiles.join(folder, name)
        do {
            // Checked before each delivery: a drop folder swapped for a link sends no record elsewhere.
            try CheckedFolder.checkWithParent(folder, owned: false)
            if RegularFile.kind(folder) == nil {
                try PrivateFiles.makeFolder(folder, modes: fileModes)
                try CheckedFolder.checkWithParent(folder, owned: false)
            }
            try PrivateFiles.writeAtomically(to: target, modes: fileModes) { try render(ByteWriter(handle: $0)) }
        } catch let fault as FileFault {
            throw GatewayError("the drop folder: \(fault.description)")
        }
        return target
    }

    private func post(_ document: [UInt8], to url: String, xml: Bool, batchId: String, sender: Agency) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: xml ? "application/xml" : "application/json")
        request.headers.add(name: "X-Gateway-Batch-Id", value: batchId)
        request.headers.add(name: "X-Gateway-Sender", value: sender.rawValue)
        request.body = .bytes(ByteBuffer(bytes: document))
        access.value.apply(to: &request)
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .seconds(30))
        } catch {
            throw GatewayError("the back office at \(url) did not answer: \(String(describing: error).prefix(200))")
        }
        _ = try? await response.body.collect(upTo: 1 << 16)
        guard (200...299).contains(response.status.code) else {
            throw GatewayError("the back office at \(url) answered \(response.status.code)")
        }
    }

    /// Removes the temporary files of deliveries that a crash cut short (never renamed, so never
    /// seen by the back office). Only at start: later, a temporary file may be one being written.
    public func clearInterruptedFiles() {
        guard case .dropFolder(let folder) = backOffice, let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where PrivateFiles.isTemporary(name) {
            try? FileManager.default.removeItem(atPath: LocalFiles.join(folder, name))
        }
    }

    /// Delivers everything received but not yet delivered (after a crash, or a back office that did
    /// not answer); returns how many batches went, and the first failure if any did not.
    public func deliverPending(now: Date = Date()) async throws -> Int {
        var n = 0
        var firstFailure: (any Error)?
        for pending in try await ledger.undeliveredBatches() {
            do {
                if try await deliver(pending.batchId, from: pending.sender, now: now) != nil { n += 1 }
            } catch {
                firstFailure = firstFailure ?? error
            }
        }
        if let firstFailure { throw firstFailure }
        return n
    }
}

extension BackOfficeDelivery: DeliveryCheck {
    /// Why the agency's own format cannot hold a received record: the record is then rejected in
    /// the receipt. The exchange formats hold every record.
    public func faults(_ record: CanonicalRecord) -> [FieldError] {
        guard let name = formats[record.recordType], let format = catalog.format(name, type: record.recordType) else { return [] }
        return format.faults(record, taxonomy: taxonomy)
    }
}

/// Batches being delivered at this moment, by sender and id (two senders may use one id).
private final class InHand: Sendable {
    private let ids = Mutex(Set<String>())
    func take(_ id: String, from sender: Agency) -> Bool { ids.withLock { $0.insert("\(sender.rawValue)/\(id)").inserted } }
    func give(_ id: String, from sender: Agency) { _ = ids.withLock { $0.remove("\(sender.rawValue)/\(id)") } }
}
