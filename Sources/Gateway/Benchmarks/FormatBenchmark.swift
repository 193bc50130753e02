import Formats
import Foundation
import Model
import Taxonomy

/// Every format's reader and writer on one core, in this process: N generated records of each type
/// written in the format, then read back (parsed, checked against the model and the taxonomy).
public struct FormatBenchmark: Sendable {
    public var mappings: MappingsFolder
    public var records: Int

    public init(mappings: MappingsFolder, records: Int) {
        self.mappings = mappings
        self.records = records
    }

    public struct Figure: Sendable {
        public var format: String
        public var recordType: RecordType
        public var megabytes: Double
        public var writePerSecond: Double
        public var readPerSecond: Double
        public var readBack: Int
    }

    /// The agency whose own format it is (the exchange profile: Le Forem's, sending to VDAB).
    static func agency(of format: String, type: RecordType) -> Agency {
        switch format {
        case "vdab": .vdab
        case "actiris": .actiris
        case "adg": .adg
        case "bf": .bf
        default: .forem
        }
    }

    public func run() throws -> [Figure] {
        let taxonomy = try TaxonomyInForce.shipped(mappings: mappings)
        let catalog = try mappings.formatCatalog()
        var figures: [Figure] = []
        for type in RecordType.allCases {
            for name in catalog.names {
                guard let format = catalog.format(name, type: type) else { continue }
                let agency = Self.agency(of: name, type: type)
                var generator = SyntheticRecords(seed: 5, taxonomy: taxonomy, year: 2019)
                let made: [CanonicalRecord] = (0..<records).map { i in
                    type == .vacancy ? .vacancy(generator.vacancy(origin: agency, id: "GEN-\(i)", localWorkplace: true))
                        : .trainee(generator.trainee(agency: agency, id: "GEN-\(i)"))
                }
                // An exchange batch holds 5,000 records at most: the exchange forms go in several documents.
                let per = format is ExchangeFormat ? ExchangeFormat.maximumRecords : records
                var documents: [[UInt8]] = []
                let started = ContinuousClock.now
                var start = 0
                while start < made.count {
                    let out = ByteWriter()
                    let writer = try format.writing(out, taxonomy: taxonomy, envelope: EnvelopeFields(receiver: agency == .vdab ? .forem : .vdab))
                    try writer.begin(sender: agency, created: Date())
                    for record in made[start..<min(made.count, start + per)] { _ = writer.write(record) }
                    writer.end()
                    out.flush()
                    documents.append(out.collected)
                    start += per
                }
                let written = seconds(ContinuousClock.now - started)
                let readStarted = ContinuousClock.now
                var back = 0
                for bytes in documents {
                    let reader = format.reading(ByteReader(bytes: bytes), taxonomy: taxonomy)
                    _ = try reader.open()
                    while let decoded = try reader.next() { if decoded.record != nil { back += 1 } }
                }
                let read = seconds(ContinuousClock.now - readStarted)
                let size = documents.map(\.count).reduce(0, +)
                figures.append(Figure(format: name, recordType: type, megabytes: Double(size) / 1_000_000, writePerSecond: Double(records) / written,
                                      readPerSecond: Double(records) / read, readBack: back))
            }
        }
        return figures
    }
}
