import Formats
import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import Model
import Statistics
import Synchronization
import Testing

/// The project's files as a new user has them — `deploy/local/`, `mappings/`, the five agencies'
/// fixtures — copied, with `fixtures/sixth-region/` laid over them the way README's "Adding a
/// region" says: an entry in `mappings/agencies.yaml`, the body's format, its gateway's
/// configuration, its peer's lines in Le Forem's configuration, and its spelling in Le Forem's
/// trainee format. No Swift changes.
struct SixthRegionProject {
    let root: URL
    static let kit = Project.root.appendingPathComponent("fixtures/sixth-region")
    static let efp = Agency(rawValue: "EFP")!

    init(in temp: TemporaryFolder, agencyEntry: Bool = true, format: Bool = true, foremSpelling: Bool = true) throws {
        let files = FileManager.default
        root = temp.url.appendingPathComponent("project")
        func copy(_ relative: String, from base: URL = Project.root) throws {
            let target = root.appendingPathComponent(relative)
            try files.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try files.copyItem(at: base.appendingPathComponent(relative), to: target)
        }
        func append(_ kitFile: String, to relative: String) throws {
            let handle = try FileHandle(forWritingTo: root.appendingPathComponent(relative))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(contentsOf: Self.kit.appendingPathComponent(kitFile)))
            try handle.close()
        }
        try copy("mappings")
        try copy("deploy/openapi.yaml")
        for agency in AgencyDirectory.profile.codes.map({ $0.rawValue.lowercased() }) {
            try copy("deploy/local/\(agency).yaml")
            try copy("fixtures/\(agency)")
        }
        // The sixth body's own files …
        for relative in ["deploy/local/efp.yaml", "fixtures/efp/trainees.json", "fixtures/forem/trainees-efp.xml"] + (format ? ["mappings/formats/efp-trainee.yaml"] : []) {
            try copy(relative, from: Self.kit)
        }
        // … and the lines it adds to files the others have.
        if agencyEntry { try append("agencies-entry.yaml", to: "mappings/agencies.yaml") }
        try append("deploy/local/forem-peer.yaml", to: "deploy/local/forem.yaml")
        let foremFormat = root.appendingPathComponent("mappings/formats/forem-trainee.yaml")
        let text = try String(contentsOf: foremFormat, encoding: .utf8)
        #expect(text.contains("agencies: { FOREM: FOREM, "))
        if foremSpelling { try text.replacingOccurrences(of: "agencies: { FOREM: FOREM, ", with: "agencies: { FOREM: FOREM, EFP: EFP, ")
            .write(to: foremFormat, atomically: true, encoding: .utf8) }
    }

    var mappings: MappingsFolder { MappingsFolder(path: root.appendingPathComponent("mappings").path) }
}

@Suite("A sixth body joins from files alone: efp, Brussels' training centre for small businesses", .bounded)
struct SixthAgencyTests {
    @Test("efp's gateway in the demo network: trainee records to and from Le Forem, each back office in its own format, efp in both ledgers' statistics")
    func joinsTheNetwork() async throws {
        let temp = TemporaryFolder()
        let project = try SixthRegionProject(in: temp)
        let efp = SixthRegionProject.efp
        let lines = Mutex<[String]>([])
        let demo = Demo(project: project.root, folder: temp.path("demo")) { line in lines.withLock { $0.append(line) } }
        #expect(try demo.agencies() == AgencyDirectory.profile.codes + [efp])
        let outcome = try await demo.run(keepRunning: false)
        let said = lines.withLock { $0.joined(separator: "\n") }
        #expect(outcome.succeeded, "\(said)")
        #expect(said.contains("Starting the 6 gateways"))

        // Both directions crossed, every record accepted (the five's flows still add up: `succeeded`).
        func flow(_ from: Agency, _ to: Agency) -> SendingSummary? {
            outcome.flows.first { $0.from == from && $0.summary.peer == to && $0.summary.recordType == .trainee }?.summary
        }
        let fromEFP = try #require(flow(efp, .forem), "\(said)")
        #expect(fromEFP.sent == 3 && fromEFP.accepted == 3 && fromEFP.rejected == 0)
        let toEFP = try #require(flow(.forem, efp), "\(said)")
        #expect(toEFP.sent == 2 && toEFP.accepted == 2 && toEFP.rejected == 0)
        #expect(!outcome.flows.contains { $0.summary.peer == efp && $0.from != .forem })

        // Each back office got the other's records in its own format.
        let catalog = try project.mappings.formatCatalog()
        func delivered(_ agency: String, format: String) throws -> [TraineeRecord] {
            let folder = temp.path("demo/var/\(agency)/incoming")
            let reading = try #require(catalog.format(format, type: .trainee))
            var records: [TraineeRecord] = []
            for name in try FileManager.default.contentsOfDirectory(atPath: folder) where !name.hasPrefix(".") {
                let reader = reading.reading(ByteReader(bytes: try LocalFiles.bytes(folder + "/" + name)), taxonomy: Translation.taxonomy)
                guard (try? reader.open()) != nil else { continue }   // a vacancy document (Le Forem's)
                while let decoded = try reader.next() {
                    #expect(decoded.errors.isEmpty, "\(agency)/incoming/\(name): \(decoded.errors)")
                    if case .trainee(let t)? = decoded.record { records.append(t) }
                }
            }
            return records
        }
        let atEFP = try delivered("efp", format: "efp")
        #expect(Set(atEFP.map(\.id.rawValue)) == ["PFI-2026-7730", "CEN-2026-0790"])
        #expect(atEFP.allSatisfy { $0.referringAgency == efp && $0.trainingAgency == .forem })
        let atForem = try delivered("forem", format: "forem").filter { $0.trainingAgency == efp }
        #expect(Set(atForem.map(\.id.rawValue)) == ["ALT-2026-0042", "ALT-2026-0057", "CEN-2026-0108"])
        // Le Forem's format names its own scheme only; read back, efp's apprenticeship is efp's ALT again.
        #expect(atForem.filter { $0.scheme.type == .inCompany }.allSatisfy { $0.scheme.nativeName == "ALT" })

        // The statistics of both ledgers count efp like any other agency.
        let forem = try SQLiteStore(path: temp.path("demo/var/forem/ledger.sqlite"))
        let trainedAt = try await FlowStatistics(store: forem, agency: .forem).answer(try FlowQuery(subject: .trainees, by: [.training]))
        #expect(zip(trainedAt.rows, trainedAt.counts).contains { $0.0 == ["EFP"] && $0.1 == 3 }, "\(trainedAt.rows) \(trainedAt.counts)")
        let sentByForem = try await FlowStatistics(store: forem, agency: .forem)
            .answer(try FlowQuery(subject: .trainees, by: [.destination], direction: .sent))
        #expect(zip(sentByForem.rows, sentByForem.counts).contains { $0.0 == ["EFP"] && $0.1 == 2 }, "\(sentByForem.rows) \(sentByForem.counts)")
        let efpStore = try SQLiteStore(path: temp.path("demo/var/efp/ledger.sqlite"))
        let atEFPLedger = try await FlowStatistics(store: efpStore, agency: efp).answer(try FlowQuery(subject: .trainees, by: [.training]))
        #expect(atEFPLedger.rows == [["FOREM"]] && atEFPLedger.counts == [2])
        #expect(said.contains("EFP     received trainee records trained at FOREM 2"), "\(said)")
    }

    @Test("without its entry in agencies.yaml the body is refused at start, naming the file and line, or the configuration's key")
    func refusedWithoutEntry() throws {
        let temp = TemporaryFolder()
        let project = try SixthRegionProject(in: temp, agencyEntry: false)
        #expect {
            try project.mappings.formatCatalog()
        } throws: { error in
            let text = "\(error)"
            return text.contains("efp-trainee.yaml:13") && text.contains("'EFP' is not a canonical value of agencies (VDAB, FOREM, ACTIRIS, ADG, BF)")
        }
        // Without its format too, Le Forem's configuration still names it as a peer.
        let other = TemporaryFolder()
        let withoutFormat = try SixthRegionProject(in: other, agencyEntry: false, format: false)
        let demo = Demo(project: withoutFormat.root, folder: other.path("demo")) { _ in }
        // The demo makes keys for the directory's agencies only: the pair's keys made by hand.
        let secrets = other.path("demo/deploy/local/secrets")
        try FileManager.default.createDirectory(atPath: secrets, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for name in ["efp-to-forem", "forem-to-efp"] {
            #expect(FileManager.default.createFile(atPath: "\(secrets)/\(name).key", contents: Data(TemporaryFolder.key("\(name).key").utf8),
                                                   attributes: [.posixPermissions: 0o600]))
        }
        let forem = try #require(try demo.configurations().first { $0.agency == .forem })
        #expect {
            try forem.check(agencies: try withoutFormat.mappings.agencyDirectory())
        } throws: { error in
            "\(error)".hasSuffix("forem.yaml: peers.EFP: EFP is not an agency of the agency directory (mappings/agencies.yaml: VDAB, FOREM, ACTIRIS, ADG, BF)")
        }
    }

    @Test("a partner whose back-office format has no spelling for the body refuses its records before the receipt, naming the format; none is written wrong")
    func partnerFormatWithoutSpelling() throws {
        let temp = TemporaryFolder()
        let project = try SixthRegionProject(in: temp, foremSpelling: false)
        let catalog = try project.mappings.formatCatalog()
        let efpFormat = try #require(catalog.format("efp", type: .trainee))
        let foremFormat = try #require(catalog.format("forem", type: .trainee))
        let reader = efpFormat.reading(ByteReader(bytes: try LocalFiles.bytes(SixthRegionProject.kit.path + "/fixtures/efp/trainees.json")), taxonomy: Translation.taxonomy)
        #expect(try reader.open() == SixthRegionProject.efp)
        var asked = 0
        while let decoded = try reader.next() {
            let record = try #require(decoded.record)
            // What Le Forem's gateway asks of each received record before its receipt (`DeliveryCheck`).
            let faults = foremFormat.faults(record, taxonomy: Translation.taxonomy)
            #expect(faults.map(\.code) == [.invalidValue], "\(faults)")
            #expect(faults.first?.message == "the forem format has no spelling for agency EFP")
            asked += 1
        }
        #expect(asked > 0)
    }
}
