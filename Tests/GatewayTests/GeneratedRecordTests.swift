import ExchangeProtocol
import Formats
import Foundation
import Gateway
import LedgerTestSupport
import Model
import Taxonomy
import Testing

typealias RecordGenerator = SyntheticRecords

extension SyntheticRecords {
    /// Records over the shipped taxonomy, in 2026.
    init(seed: UInt64) { self.init(seed: seed, taxonomy: Translation.taxonomy) }

    /// An exchange batch from Le Forem to VDAB of `vacancies` generated vacancies, numbered from
    /// `from`; with their ids.
    mutating func batch(id: String, form: BatchForm, vacancies: Int, from: Int) throws -> (body: [UInt8], ids: [String]) {
        let out = ByteWriter()
        let writer = try ExchangeFormat(form: form, recordType: .vacancy).writing(out, taxonomy: Translation.taxonomy,
                                                                                   envelope: EnvelopeFields(receiver: .vdab, batchId: id))
        try writer.begin(sender: .forem, created: Date())
        var ids: [String] = []
        for i in 0..<vacancies {
            let v = vacancy(origin: .forem, index: from + i)
            ids.append(v.id.rawValue)
            _ = writer.write(.vacancy(v))
        }
        writer.end()
        out.flush()
        return (out.collected, ids)
    }
}

@Suite("Round trips over generated records, through every format", .bounded)
struct GeneratedRecordTests {
    /// Writes records in a format through its writer and reads them back through its reader.
    func roundTrip(_ records: [CanonicalRecord], format: String, type: RecordType, sender: Agency) throws -> (back: [CanonicalRecord], losses: [String: [String]]) {
        let f = Translation.catalog.format(format, type: type)!
        let out = ByteWriter()
        let writer = try f.writing(out, taxonomy: Translation.taxonomy, envelope: EnvelopeFields(receiver: sender == .actiris ? .vdab : .actiris))
        try writer.begin(sender: sender, created: Date())
        var losses: [String: [String]] = [:]
        for r in records {
            let (lost, errors) = writer.write(r)
            #expect(errors.isEmpty, "\(format) \(r.id): \(errors)")
            losses[r.id.rawValue] = lost
        }
        writer.end()
        out.flush()
        return (try Translation.records(out.collected, format: format, type), losses)
    }

    @Test("vacancies", arguments: ["vdab", "forem", "actiris", "adg", "exchange-json", "exchange-xml"])
    func vacancies(_ format: String) throws {
        var generator = RecordGenerator(seed: 42)
        let origin = format == "vdab" ? Agency.vdab : format == "adg" ? .adg : format == "actiris" ? .actiris : .forem
        let records = (0..<300).map { CanonicalRecord.vacancy(generator.vacancy(origin: origin, index: $0)) }
        let (back, losses) = try roundTrip(records, format: format, type: .vacancy, sender: origin)
        #expect(back.count == records.count)
        for (before, after) in zip(records, back) {
            #expect(Translation.comparable(before) == Translation.comparable(after), "\(format) \(before.id)")
            if before != after { #expect(!(losses[before.id.rawValue] ?? []).isEmpty, "\(format) \(before.id) changed without a listed loss") }
            // Free text survives every format: accents, &, <, emoji, quotes, tabs, line breaks.
            if case .vacancy(let b) = before, case .vacancy(let a) = after {
                #expect(a.text.title == b.text.title)
                #expect(a.text.description == b.text.description)
                #expect(a.employer.name == b.employer.name)
            }
        }
    }

    @Test("trainee records", arguments: ["vdab", "forem", "adg", "bf", "exchange-json", "exchange-xml"])
    func trainees(_ format: String) throws {
        var generator = RecordGenerator(seed: 7)
        let agency = format == "vdab" ? Agency.vdab : format == "adg" ? .adg : format == "bf" ? .bf : .forem
        let records = (0..<300).map { CanonicalRecord.trainee(generator.trainee(agency: agency, index: $0)) }
        let (back, losses) = try roundTrip(records, format: format, type: .trainee, sender: agency)
        #expect(back.count == records.count)
        for (before, after) in zip(records, back) {
            #expect(Translation.comparable(before) == Translation.comparable(after), "\(format) \(before.id)")
            if before != after { #expect(!(losses[before.id.rawValue] ?? []).isEmpty, "\(format) \(before.id) changed without a listed loss") }
        }
    }
}
