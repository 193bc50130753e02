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
    public var sender: String = ""
    public var read = 0
    public var translated = 0
    public var rejected = 0
    /// Records translated with at least one loss, and the losses in all.
    public var recordsWithLosses = 0
    public var losses = 0
    /// The first `TranslationReport.kept` records that were rejected or lost something (all of them
    /// reach the translation's `onRecord`); translated records without loss are counted only.
    public var records: [RecordReport] = []
    /// Records rejected or with losses beyond those kept here.
    public var recordsNotKept = 0

    /// How many reported records a report keeps in memory: a batch of any size costs the same.
    public static let kept = 100
}

/// Translates a document from one format to another a record at a time: the input is read and the
/// output written as the records go, so memory holds one record, not the batch. One bad record is
/// rejected alone; the others go on.
public struct Translator {
    public let source: any RecordFormat
    public let target: any RecordFormat
    public let taxonomy: Taxonomy
    public var envelope: EnvelopeFields

    public init(source: any RecordFormat, target: any RecordFormat, taxonomy: Taxonomy, envelope: EnvelopeFields = EnvelopeFields()) throws(DocumentError) {
        guard source.recordType == target.recordType else {
            throw DocumentError(line: 0, "\(source.format) \(source.recordType.rawValue) records cannot become \(target.format) \(target.recordType.rawValue) records")
        }
        self.source = source
        self.target = target
        self.taxonomy = taxonomy
        self.envelope = envelope
    }

    /// Translates; `onRecord` hears every record that was rejected or lost something, as it goes.
    public func translate(_ input: ByteReader, into output: ByteWriter, now: Date = Date(),
                          progress: (TranslationReport) -> Void = { _ in },
                          onRecord: (RecordReport) -> Void = { _ in }) throws(DocumentError) -> TranslationReport {
        let reader = source.reading(input, taxonomy: taxonomy)
        let sender = try reader.open()
        let writer = try target.writing(output, taxonomy: taxonomy, envelope: envelope)
        try writer.begin(sender: sender, created: now)
        var report = TranslationReport(from: source.format, to: target.format, recordType: source.recordType.rawValue, sender: sender.rawValue)
        while let decoded = try reader.next() {
            let index = report.read
            report.read += 1
            var errors = decoded.errors, losses = decoded.losses
            if let record = decoded.record {
                let written = writer.write(record)
                (losses, errors) = (losses + written.losses, written.errors)
            }
            if errors.isEmpty {
                report.translated += 1
                if !losses.isEmpty { report.recordsWithLosses += 1; report.losses += losses.count }
            } else {
                report.rejected += 1
            }
            if !errors.isEmpty || !losses.isEmpty {
                let detail = RecordReport(index: index, recordId: decoded.recordId,
                                          rejections: errors.map { .init(field: $0.field, code: $0.code.rawValue, message: $0.message) },
                                          losses: losses)
                onRecord(detail)
                if report.records.count < TranslationReport.kept { report.records.append(detail) } else { report.recordsNotKept += 1 }
            }
            if report.read % 10_000 == 0 { progress(report) }
        }
        writer.end()
        return report
    }
}
