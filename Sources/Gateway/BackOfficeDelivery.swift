import Exchange
import Formats
import Foundation
import Model
import Taxonomy

/// Hands accepted records to the agency's back office: a document in the agency's own format per
/// batch, written into the drop folder atomically (a temporary file, flushed, then renamed) under a
/// name made of the sender and the batch id — so delivering a batch again after a crash rewrites the
/// same file and the back office never sees a record twice or half a file. Then the ledger notes it.
public struct BackOfficeDelivery: Sendable {
    /// The agency whose back office this is (the receiver of what is delivered).
    public var agency: Agency
    public var folder: String
    /// The agency's own format for each record type (`vdab`, `forem`, …, or `exchange-json`).
    public var formats: [RecordType: String]
    public let catalog: FormatCatalog
    public let taxonomy: Taxonomy
    public let ledger: any DeliveryLedger

    public init(agency: Agency, folder: String, formats: [RecordType: String], catalog: FormatCatalog, taxonomy: Taxonomy, ledger: any DeliveryLedger) {
        self.agency = agency
        self.folder = folder
        self.formats = formats
        self.catalog = catalog
        self.taxonomy = taxonomy
        self.ledger = ledger
    }

    /// Delivers one batch if it is still pending; returns the file written.
    @discardableResult
    public func deliver(_ batchId: String, now: Date = Date()) throws -> String? {
        guard let pending = try ledger.pendingDelivery(batchId) else { return nil }
        guard let name = formats[pending.recordType], let format = catalog.format(name, type: pending.recordType) else {
            throw GatewayError("no back-office format is configured for \(pending.recordType.rawValue) records")
        }
        let decoded = try ExchangeFormat.readBatch(pending.body, form: pending.form, taxonomy: taxonomy)
        let records = decoded.records.enumerated().compactMap { pending.accepted.contains($0.offset) ? $0.element.record : nil }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let ext = (format as? FormatMapping)?.syntax == .xml || name == "exchange-xml" ? "xml" : "json"
        let target = LocalFiles.join(folder, "\(pending.sender.rawValue.lowercased())-\(batchId).\(ext)")
        let temporary = LocalFiles.join(folder, ".\(pending.sender.rawValue.lowercased())-\(batchId).\(ext).partial")
        guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
            throw GatewayError("\(folder): cannot write into the drop folder")
        }
        let out = ByteWriter(handle: handle)
        if !records.isEmpty {
            let writer = try format.writing(out, taxonomy: taxonomy, envelope: EnvelopeFields(receiver: agency, batchId: batchId))
            try writer.begin(sender: pending.sender, created: now)
            for record in records { _ = writer.write(record) }
            writer.end()
        }
        try handle.synchronize()
        try handle.close()
        if records.isEmpty {
            try FileManager.default.removeItem(atPath: temporary)   // nothing accepted: nothing to hand over
        } else {
            guard rename(temporary, target) == 0 else { throw GatewayError("\(target): cannot be written (\(String(cString: strerror(errno))))") }
        }
        try ledger.markDelivered(batchId, to: records.isEmpty ? "(no record accepted)" : target, at: now)
        return records.isEmpty ? nil : target
    }

    /// Delivers everything received but not yet delivered (after a crash, on start), after removing
    /// the temporary files of deliveries that a crash cut short (never renamed, so never seen).
    public func deliverPending() throws -> Int {
        if let names = try? FileManager.default.contentsOfDirectory(atPath: folder) {
            for name in names where name.hasPrefix(".") && name.hasSuffix(".partial") {
                try? FileManager.default.removeItem(atPath: LocalFiles.join(folder, name))
            }
        }
        var n = 0
        for pending in try ledger.pendingDeliveries() where try deliver(pending.batchId) != nil { n += 1 }
        return n
    }
}
