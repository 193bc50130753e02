import ExchangeProtocol
import Foundation
import Model

extension CanonicalRecord {
    /// SHA-256 of the record's exchange-profile JSON: the same content gives the same digest on
    /// every gateway, whatever format it arrived in.
    public var contentDigest: String { sha256Hex(ExchangeFormat.canonicalJSON(self)) }
}

extension IncomingBatch {
    /// A batch whose records' content digests are computed here, before the ledger's transaction.
    public init(batchId: String, sender: Agency, recordType: RecordType, bodySha256: String, receivedAt: Date, records: [Decoded],
                body: [UInt8] = [], form: BatchForm = .json) {
        self.init(batchId: batchId, sender: sender, recordType: recordType, bodySha256: bodySha256, receivedAt: receivedAt, records: records,
                  contentDigests: records.map { $0.record?.contentDigest }, body: body, form: form)
    }
}
