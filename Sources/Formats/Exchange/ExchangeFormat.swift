import ExchangeProtocol
import Foundation
import Model
import Taxonomy

/// The exchange profile `be-pes-exchange/1` as a document format: a batch envelope around
/// vacancy or trainee records, in its JSON or XML form (`exchange-protocol.md`, `exchange-records.md`).
public struct ExchangeFormat: RecordFormat {
    public typealias Form = BatchForm
    public static let profile = "be-pes-exchange/1"
    public static let namespace = "urn:be:pes:exchange:1"
    public static let maximumRecords = 5_000

    public let form: Form
    public let recordType: RecordType
    /// The agencies a batch may name, and the trainee rules: the gateway's agency directory.
    public let agencies: AgencyDirectory

    public init(form: Form, recordType: RecordType, agencies: AgencyDirectory = .profile) {
        self.form = form
        self.recordType = recordType
        self.agencies = agencies
    }

    public var format: String { "exchange-\(form.rawValue)" }

    public func reading(_ input: ByteReader, taxonomy: Taxonomy) -> any RecordReading {
        ExchangeReading(format: self, input: input, taxonomy: taxonomy)
    }

    public func writing(_ output: ByteWriter, taxonomy: Taxonomy, envelope: EnvelopeFields) throws(DocumentError) -> any RecordWriting {
        guard let receiver = envelope.receiver else {
            throw DocumentError(line: 0, "an exchange batch names its receiver: give the receiving agency (--receiver)")
        }
        return ExchangeWriting(format: self, output: output, receiver: receiver, batchId: envelope.batchId ?? UUID().uuidString.lowercased(),
                               resubmissionOf: envelope.resubmissionOf)
    }

    /// A record's exchange-profile JSON, compact and in a fixed member order: what content digests
    /// are computed over, and the JSON form's record as batches carry it. Written straight from the
    /// record (`CompactJSONWriter`), without a value tree.
    public static func canonicalJSON(_ record: CanonicalRecord) -> [UInt8] {
        let out = ByteWriter()
        var j = CompactJSONWriter(out)
        describe(record, to: &j)
        out.flush()
        return out.collected
    }

    /// The record as the exchange profile has it, as a value (the XML form is made from it).
    public static func profileValue(_ record: CanonicalRecord) -> JSONValue {
        var builder = JSONValueBuilder()
        describe(record, to: &builder)
        return builder.value
    }

    static func describe<J: JSONDescribing>(_ record: CanonicalRecord, to j: inout J) {
        switch record {
        case .vacancy(let v): ExchangeVacancy.encode(v, to: &j)
        case .trainee(let t): ExchangeTrainee.encode(t, to: &j)
        }
    }

    /// A record in its profile form, as its canonical JSON (`canonicalJSON`): what a sender digests
    /// and writes into each peer's batch, encoded once.
    public struct ProfileRecord: Sendable {
        public var canonical: [UInt8]

        public init(_ record: CanonicalRecord) { canonical = ExchangeFormat.canonicalJSON(record) }

        /// The record as a value, read back from its canonical JSON (a sender's batch for a peer
        /// that takes the XML form holds only these bytes): the parser cannot fail on
        /// what the encoder wrote (no string in it is longer than the whole).
        public var value: JSONValue {
            let parser = JSONParser(reader: ByteReader(bytes: canonical), maximumStringBytes: canonical.count)
            do { return try parser.value() } catch { preconditionFailure("canonical JSON that does not read back: \(error)") }
        }
    }

    /// A batch body of records already in their profile form, in `form`: the JSON form takes each
    /// record's canonical bytes as they are (its records are written compact, in the same order).
    public static func batchBody(_ records: [ProfileRecord], recordType: RecordType, form: Form, sender: Agency, envelope: EnvelopeFields,
                                 created: Date) throws(DocumentError) -> [UInt8] {
        let out = ByteWriter()
        guard let receiver = envelope.receiver else { throw DocumentError(line: 0, "an exchange batch names its receiver") }
        let writer = ExchangeWriting(format: ExchangeFormat(form: form, recordType: recordType), output: out, receiver: receiver,
                                     batchId: envelope.batchId ?? UUID().uuidString.lowercased(), resubmissionOf: envelope.resubmissionOf)
        try writer.begin(sender: sender, created: created)
        for record in records { writer.write(profile: record) }
        writer.end()
        out.flush()
        return out.collected
    }

    func decode(_ json: JSONValue, sender: Agency, taxonomy: Taxonomy, index: Int) -> Decoded {
        switch recordType {
        case .vacancy: ExchangeVacancy.decode(json, sender: sender, taxonomy: taxonomy, agencies: agencies, index: index)
        case .trainee: ExchangeTrainee.decode(json, sender: sender, taxonomy: taxonomy, agencies: agencies, index: index)
        }
    }

    var recordElement: String { recordType == .vacancy ? "PositionOpening" : "TraineeRecord" }

    /// A received batch body, whole: its envelope's values (`batchId`, `sender`, `receiver`,
    /// `recordType`, …) and every record decoded or rejected. The record type comes from the
    /// envelope. Document faults carry their kind (malformed, unsupported, too large).
    public static func readBatch(_ body: [UInt8], form: Form, taxonomy: Taxonomy,
                                 agencies: AgencyDirectory = .profile) throws(DocumentError) -> (envelope: [String: String], sender: Agency, records: [Decoded]) {
        // A UTF-8 byte-order mark before a JSON body is passed over (clarification 12; RFC 8259
        // §8.1); the signature and the ledger keep the bytes as sent. XML's is libxml2's to read.
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let text = form == .json && body.starts(with: bom) ? Array(body.dropFirst(3)) : body
        let reading = ExchangeReading(format: ExchangeFormat(form: form, recordType: .vacancy, agencies: agencies), input: ByteReader(bytes: text),
                                      taxonomy: taxonomy)
        reading.discoverRecordType = true
        let sender = try reading.open()
        var records: [Decoded] = []
        while let decoded = try reading.next() { records.append(decoded) }
        return (reading.envelope, sender, records)
    }
}

/// Reads an exchange batch a record at a time, in either form. The envelope's members may come in
/// any order (JSON member order has no meaning; `Taxonomy` may follow `Records`): the envelope is
/// checked as soon as every member is read — before the records, or after the first record in XML
/// (its `Taxonomy` element) — and the records are decoded as they come; records read before that
/// (a JSON member after `records`) are held as values until the document's end, which checks the
/// envelope first. Either way the whole envelope is checked again at the end, so a member outside
/// the profile after the records refuses the batch too.
final class ExchangeReading: RecordReading {
    var format: ExchangeFormat
    /// Take the record type from the envelope instead of requiring the format's.
    var discoverRecordType = false
    /// The envelope's values, once checked.
    var envelope: [String: String] = [:]
    let taxonomy: Taxonomy
    var json: JSONDocumentReader?
    var xml: XMLDocumentReader?
    var sender: Agency?
    /// Records decoded (or skipped) so far.
    var index = 0
    /// Records read before the envelope was complete, to decode once it is checked.
    private var held: [JSONValue] = []
    /// Records read from the document so far (held or not).
    private var read = 0
    private var ended = false
    /// Faults of the XML form's structure, by record position: reported before the values' faults.
    private var shapeFaults: [Int: [FieldError]] = [:]

    init(format: ExchangeFormat, input: ByteReader, taxonomy: Taxonomy) {
        self.format = format
        self.taxonomy = taxonomy
        switch format.form {
        case .json: json = JSONDocumentReader(reader: input, recordsKey: "records")
        case .xml: xml = XMLDocumentReader(reader: input, root: "ExchangeBatch", namespace: ExchangeFormat.namespace,
                                           recordElement: format.recordElement, container: "Records")
        }
    }

    var line: Int { json?.line ?? xml?.line ?? 0 }

    /// The envelope as read so far.
    func currentEnvelope() throws(DocumentError) -> ExchangeEnvelope {
        if let json { return ExchangeEnvelope(members: json.header) }
        guard let xml else { return ExchangeEnvelope() }
        var envelope = ExchangeEnvelope(members: [])
        for a in xml.header {
            guard a.namespace == nil else {
                throw DocumentError(line: xml.line, "envelope: the attribute \(a.name.prefix(40)) in namespace \(a.namespace!.prefix(60)) is not part of the envelope")
            }
            envelope.members.append((a.name, .string(a.value)))
        }
        for element in xml.headerElements {
            guard element.name == "Taxonomy", element.namespace == ExchangeFormat.namespace else {
                throw DocumentError(line: xml.line, "envelope: <\(element.name.prefix(40))> is not an element of <ExchangeBatch> (Taxonomy, Records)")
            }
            guard envelope["taxonomy"] == nil else { throw DocumentError(line: xml.line, "envelope: <Taxonomy> appears twice") }
            guard element.children.isEmpty, element.text.isEmpty else {
                throw DocumentError(line: xml.line, "envelope: <Taxonomy> is an empty element with the attributes scheme and version")
            }
            envelope.members.append(("taxonomy", .object(element.attributes.map { ($0.name, .string($0.value)) })))
        }
        return envelope
    }

    func open() throws(DocumentError) -> Agency {
        if let json { try json.open() } else { try xml?.open() }
        if discoverRecordType, let type = (try currentEnvelope()).text("recordType").flatMap(RecordType.init(rawValue:)) {
            format = ExchangeFormat(form: format.form, recordType: type, agencies: format.agencies)
            xml?.recordElement = format.recordElement
        }
        if try currentEnvelope().isComplete { try accept() }
        // A member comes after the records, or after the first (XML's Taxonomy): read on until it is known.
        while sender == nil {
            guard let record = try rawRecord() else { break }
            held.append(record)
            guard held.count <= ExchangeFormat.maximumRecords else {
                throw DocumentError(line: line, "envelope: a batch holds at most \(ExchangeFormat.maximumRecords) records", kind: .tooLarge)
            }
        }
        return sender!
    }

    /// Checks the envelope as read so far; the sender once it holds.
    private func accept() throws(DocumentError) {
        let envelope = try currentEnvelope()
        let checked = try envelope.check(discoverRecordType ? nil : format.recordType, agencies: format.agencies, line: line)
        if discoverRecordType, let type = envelope.text("recordType").flatMap(RecordType.init(rawValue:)) {
            format = ExchangeFormat(form: format.form, recordType: type, agencies: format.agencies)
        }
        sender = checked
        self.envelope = envelope.values
    }

    /// The next record as read, before decoding (an XML record's structure is checked here); at the
    /// document's end, the envelope is checked whole, and nil.
    private func rawRecord() throws(DocumentError) -> JSONValue? {
        guard !ended else { return nil }
        var record: JSONValue?
        if let json {
            record = try json.nextRecord()
        } else if let xml, let element = try xml.nextRecord() {
            let shape = format.recordType == .vacancy ? VacancyXML.shape : TraineeXML.shape
            var faults: [FieldError] = []
            if shape.names(element) {
                shape.check(element, path: { element.name }, into: &faults)
            } else {
                faults.append(FieldError("recordId", .invalidValue,
                                         "<\(element.name)> is in namespace \(element.namespace ?? "none"), the profile puts it in \(shape.namespace)"))
            }
            if !faults.isEmpty { shapeFaults[read] = faults }
            record = format.recordType == .vacancy ? VacancyXML.json(element) : TraineeXML.json(element)
        }
        guard let record else {
            ended = true
            try accept()
            return nil
        }
        read += 1
        if sender == nil, try currentEnvelope().isComplete { try accept() }
        return record
    }

    func skip() throws(DocumentError) -> Bool {
        guard sender != nil else { return false }
        var more = index < held.count
        if !more, !ended {
            if let json { more = try json.nextRecord() != nil } else { more = try xml?.nextRecord(expand: false) != nil }
            if !more { ended = true; try accept() }
        }
        guard more else {
            if index == 0 { throw DocumentError(line: 0, "envelope: a batch holds 1 to \(ExchangeFormat.maximumRecords) records, this one none") }
            return false
        }
        guard index < ExchangeFormat.maximumRecords else {
            throw DocumentError(line: line, "envelope: a batch holds at most \(ExchangeFormat.maximumRecords) records", kind: .tooLarge)
        }
        index += 1
        return true
    }

    func next() throws(DocumentError) -> Decoded? {
        guard let sender else { return nil }
        let record = index < held.count ? held[index] : try rawRecord()
        guard let record else {
            if index == 0 { throw DocumentError(line: 0, "envelope: a batch holds 1 to \(ExchangeFormat.maximumRecords) records, this one none") }
            return nil
        }
        guard index < ExchangeFormat.maximumRecords else {
            throw DocumentError(line: line, "envelope: a batch holds at most \(ExchangeFormat.maximumRecords) records", kind: .tooLarge)
        }
        defer { index += 1 }
        var decoded = format.decode(record, sender: sender, taxonomy: taxonomy, index: index)
        if let faults = shapeFaults.removeValue(forKey: index) {
            decoded.errors = faults + decoded.errors
            decoded.record = nil
        }
        // Two occurrences of one record are both read: the receiver decides them one after the
        // other by the version rule (clarification 5), not by refusing the repeat.
        return decoded
    }
}

final class ExchangeWriting: RecordWriting {
    let format: ExchangeFormat
    let out: ByteWriter
    let receiver: Agency
    let batchId: String
    let resubmissionOf: String?
    var json: JSONDocumentWriter?
    var xml: XMLDocumentWriter?
    var count = 0

    init(format: ExchangeFormat, output: ByteWriter, receiver: Agency, batchId: String, resubmissionOf: String?) {
        self.format = format
        self.out = output
        self.receiver = receiver
        self.batchId = batchId
        self.resubmissionOf = resubmissionOf
    }

    func begin(sender: Agency, created: Date) throws(DocumentError) {
        guard sender != receiver else { throw DocumentError(line: 0, "an exchange batch goes to another agency: the receiver is the sender, \(sender)") }
        var header: [(String, String)] = [("profile", ExchangeFormat.profile), ("batchId", batchId), ("sender", sender.rawValue),
                                          ("receiver", receiver.rawValue), ("recordType", format.recordType.rawValue),
                                          ("createdAt", Instant.text(created))]
        if let resubmissionOf { header.append(("resubmissionOf", resubmissionOf)) }
        switch format.form {
        case .json:
            let writer = JSONDocumentWriter(out: out, recordsKey: "records", compactRecords: true)
            writer.begin(header: header.map { ($0.0, JSONValue.string($0.1)) } + [("taxonomy", .object([("scheme", .string("ROME")), ("version", .string("3"))]))])
            json = writer
        case .xml:
            let writer = XMLDocumentWriter(out: out, root: "ExchangeBatch", namespace: ExchangeFormat.namespace, encoding: "UTF-8")
            writer.begin(header: header.map { .init(name: $0.0, value: $0.1) },
                         elements: [XMLElement(name: "Taxonomy", attributes: [.init(name: "scheme", value: "ROME"), .init(name: "version", value: "3")])],
                         container: "Records")
            xml = writer
        }
    }

    func write(_ record: CanonicalRecord) -> (losses: [String], errors: [FieldError]) {
        guard count < ExchangeFormat.maximumRecords else {
            return ([], [FieldError("recordId", .invalidValue, "a batch holds at most \(ExchangeFormat.maximumRecords) records: this one goes in the next batch")])
        }
        count += 1
        if let json { json.write(compactRecord: ExchangeFormat.canonicalJSON(record)) }
        if let xml { xml.write(record: element(ExchangeFormat.profileValue(record))) }
        return ([], [])
    }

    /// A record encoded once for several batches: its canonical bytes are the JSON form's record;
    /// the XML form is made from its value.
    func write(profile: ExchangeFormat.ProfileRecord) {
        count += 1
        if let json { json.write(compactRecord: profile.canonical) }
        if let xml { xml.write(record: element(profile.value)) }
    }

    func element(_ value: JSONValue) -> XMLElement {
        format.recordType == .vacancy ? VacancyXML.element(value) : TraineeXML.element("TraineeRecord", value)
    }

    func end() {
        json?.end()
        xml?.end()
    }
}
