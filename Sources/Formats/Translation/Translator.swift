import Foundation
import Model
import Taxonomy

/// What happened to one record: translated, with its losses, or rejected, with its faults.
public struct RecordReport: Encodable, Sendable {
    public struct Rejection: Encodable, Sendable {
        public var field: String
        public var code: String
        public var message: String
    }
    /// The record's place in the input, from 0.
    public var index: Int
    public var recordId: String
    public var rejections: [Rejection]
    public var losses: [String]
}

/// The outcome of translating one document.
public struct TranslationReport: Encodable, Sendable {
    public var from: String
    public var to: String
    public var recordType: String
    public var sender: String
    public var read = 0
    public var translated = 0
    public var rejected = 0
    /// Records translated with at least one loss, and the losses in all.
    public var recordsWithLosses = 0
    public var losses = 0
    /// Every record that was rejected or lost something; translated records without loss are counted only.
    public var records: [RecordReport] = []
}

/// Translates a document from one format to another a record at a time: the input is read and the
/// output written as the records go, so memory holds one record, not the batch. One bad record is
/// rejected alone; the others go on.
public struct Translator {
    public let source: FormatMapping
    public let target: FormatMapping
    public let taxonomy: Taxonomy

    public init(source: FormatMapping, target: FormatMapping, taxonomy: Taxonomy) throws(DocumentError) {
        guard source.recordType == target.recordType else {
            throw DocumentError(line: 0, "\(source.format) \(source.recordType.rawValue) records cannot become \(target.format) \(target.recordType.rawValue) records")
        }
        self.source = source
        self.target = target
        self.taxonomy = taxonomy
    }

    public func translate(_ input: ByteReader, into output: ByteWriter, now: Date = Date(),
                          progress: (TranslationReport) -> Void = { _ in }) throws(DocumentError) -> TranslationReport {
        let reader = source.input(input)
        let sender = try senderAgency(try reader.open(), line: reader.line)
        guard let senderSpelling = target.agencies.toNative[sender.rawValue] else {
            throw DocumentError(line: 0, "the \(target.format) format has no spelling for agency \(sender)")
        }
        let decoder = RecordDecoder(mapping: source, taxonomy: taxonomy)
        let encoder = RecordEncoder(mapping: target, taxonomy: taxonomy)
        let writer = target.output(output)
        writer.begin(sender: senderSpelling, created: target.document.createdPattern.write(now))
        var report = TranslationReport(from: source.format, to: target.format, recordType: source.recordType.rawValue, sender: sender.rawValue)
        while let json = try reader.next() {
            let index = report.read
            report.read += 1
            let decoded = decoder.decode(json, sender: sender, index: index)
            var errors = decoded.errors, losses: [String] = []
            if let record = decoded.record {
                let encoded = encoder.encode(record)
                errors = encoded.errors
                losses = encoded.losses
                if errors.isEmpty { writer.write(encoded.pairs) }
            }
            if errors.isEmpty {
                report.translated += 1
                if !losses.isEmpty { report.recordsWithLosses += 1; report.losses += losses.count }
            } else {
                report.rejected += 1
            }
            if !errors.isEmpty || !losses.isEmpty {
                report.records.append(RecordReport(index: index, recordId: decoded.recordId,
                                                   rejections: errors.map { .init(field: $0.field, code: $0.code.rawValue, message: $0.message) },
                                                   losses: losses))
            }
            if report.read % 10_000 == 0 { progress(report) }
        }
        writer.end()
        return report
    }

    func senderAgency(_ spelling: String?, line: Int) throws(DocumentError) -> Agency {
        guard let spelling else {
            throw DocumentError(line: line, "the header has no \"\(source.document.sender)\" before \"\(source.document.records)\": the agency the records come from")
        }
        guard let code = source.agencies.toCanonical[spelling], let agency = Agency(rawValue: code) else {
            throw DocumentError(line: line, "\"\(source.document.sender)\" names no agency of the \(source.format) format (\(source.agencies.toCanonical.keys.sorted().joined(separator: ", ")))")
        }
        return agency
    }
}
