import Foundation
import Model
import Taxonomy

/// Reads records out of one document, each decoded to the canonical model or rejected.
public protocol RecordReading: AnyObject {
    /// Reads the header; returns the agency the document's records come from.
    func open() throws(DocumentError) -> Agency
    func next() throws(DocumentError) -> Decoded?
    /// Reads past the next record checking only the document's syntax and structure, not the
    /// record's content; false at the end. A document that can be skipped to its end has no fault
    /// that `next` would stop at.
    func skip() throws(DocumentError) -> Bool
}

extension RecordReading {
    /// Reads the whole document this way; returns how many records it holds.
    public func checkSyntax() throws(DocumentError) -> Int {
        _ = try open()
        var n = 0
        while try skip() { n += 1 }
        return n
    }
}

/// Writes canonical records into one document.
public protocol RecordWriting: AnyObject {
    func begin(sender: Agency, created: Date) throws(DocumentError)
    /// Writes the record unless the format cannot hold it; says what was lost or why it was refused.
    func write(_ record: CanonicalRecord) -> (losses: [String], errors: [FieldError])
    func end()
}

/// What the exchange envelope needs beyond the records (ignored by the regional formats).
public struct EnvelopeFields: Sendable {
    public var receiver: Agency?
    public var batchId: String?
    public var resubmissionOf: String?
    public init(receiver: Agency? = nil, batchId: String? = nil, resubmissionOf: String? = nil) {
        self.receiver = receiver
        self.batchId = batchId
        self.resubmissionOf = resubmissionOf
    }
}

/// A document format of one record type: a regional format through its mapping file, or the
/// exchange profile.
public protocol RecordFormat: Sendable {
    /// The name a person gives (`vdab`, `exchange-json`, …).
    var format: String { get }
    var recordType: RecordType { get }
    func reading(_ input: ByteReader, taxonomy: Taxonomy) -> any RecordReading
    func writing(_ output: ByteWriter, taxonomy: Taxonomy, envelope: EnvelopeFields) throws(DocumentError) -> any RecordWriting
    /// Why this format cannot hold a record (empty: it can), without writing it: what a receiving
    /// gateway asks before the receipt of each record its back office is to take.
    func faults(_ record: CanonicalRecord, taxonomy: Taxonomy) -> [FieldError]
}

extension RecordFormat {
    /// A format that holds every record (the exchange profile).
    public func faults(_ record: CanonicalRecord, taxonomy: Taxonomy) -> [FieldError] { [] }
}

extension FormatMapping: RecordFormat {
    public func reading(_ input: ByteReader, taxonomy: Taxonomy) -> any RecordReading {
        MappedReading(mapping: self, input: self.input(input), decoder: RecordDecoder(mapping: self, taxonomy: taxonomy))
    }

    public func writing(_ output: ByteWriter, taxonomy: Taxonomy, envelope: EnvelopeFields) throws(DocumentError) -> any RecordWriting {
        MappedWriting(mapping: self, output: self.output(output), encoder: RecordEncoder(mapping: self, taxonomy: taxonomy))
    }

    public func faults(_ record: CanonicalRecord, taxonomy: Taxonomy) -> [FieldError] {
        RecordEncoder(mapping: self, taxonomy: taxonomy).faults(record)
    }
}

final class MappedReading: RecordReading {
    let mapping: FormatMapping
    let input: any RecordInput
    let decoder: RecordDecoder
    var sender: Agency?
    var index = 0

    init(mapping: FormatMapping, input: any RecordInput, decoder: RecordDecoder) {
        self.mapping = mapping
        self.input = input
        self.decoder = decoder
    }

    func open() throws(DocumentError) -> Agency {
        let spelling = try input.open()
        guard let spelling else {
            throw DocumentError(line: input.line, "the header has no \"\(mapping.document.sender)\": the agency the records come from")
        }
        guard let code = mapping.agencies.toCanonical[spelling], let agency = Agency(rawValue: code) else {
            throw DocumentError(line: input.line, "\"\(mapping.document.sender)\" names no agency of the \(mapping.format) format (\(mapping.agencies.toCanonical.keys.sorted().joined(separator: ", ")))")
        }
        // The document's timestamp, where given, is a time in the format's pattern.
        let pattern = mapping.document.createdPattern
        if let created = input.header(mapping.document.created), !pattern.accepts(created) {
            throw DocumentError(line: input.line, "the header's \"\(mapping.document.created)\" '\(created.prefix(40))' is not a time written \(pattern.rawValue)")
        }
        sender = agency
        return agency
    }

    func next() throws(DocumentError) -> Decoded? {
        guard let source = try input.next(), let sender else { return nil }
        defer { index += 1 }
        return decoder.decode(source, sender: sender, index: index)
    }

    func skip() throws(DocumentError) -> Bool { try input.skip() }
}

final class MappedWriting: RecordWriting {
    let mapping: FormatMapping
    let output: any RecordOutput
    let encoder: RecordEncoder

    init(mapping: FormatMapping, output: any RecordOutput, encoder: RecordEncoder) {
        self.mapping = mapping
        self.output = output
        self.encoder = encoder
    }

    func begin(sender: Agency, created: Date) throws(DocumentError) {
        guard let spelling = mapping.agencies.toNative[sender.rawValue] else {
            throw DocumentError(line: 0, "the \(mapping.format) format has no spelling for agency \(sender)")
        }
        output.begin(sender: spelling, created: mapping.document.createdPattern.write(created))
    }

    func write(_ record: CanonicalRecord) -> (losses: [String], errors: [FieldError]) {
        let encoded = encoder.encode(record)
        if encoded.errors.isEmpty { output.write(encoded.pairs) }
        return (encoded.losses, encoded.errors)
    }

    func end() { output.end() }
}
