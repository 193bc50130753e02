import ArgumentParser
import Formats
import Foundation
import Gateway
import Model

struct TranslateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translate",
        abstract: "Translate a document of records from one agency format to another.",
        discussion: """
            Reads INPUT a record at a time, checks each record against the canonical model and the \
            taxonomy, and writes the records that pass in the target format. A record that fails is \
            rejected alone, with its id, field, code and a message; what the target format cannot \
            hold is listed as a loss. A summary goes to standard error; --report writes every \
            rejection and loss as JSON.

            Formats: vdab, forem, actiris, adg, bf (the agencies' own, declared in mappings/formats/), \
            and the exchange profile exchange-json and exchange-xml (a batch: give --receiver).

            Examples:
              gateway translate --from vdab --to adg fixtures/vdab/vacancies.json -o adg.json
              gateway translate --from forem --to exchange-json --receiver VDAB fixtures/forem/vacancies.xml
              gateway translate --from adg --to bf --type trainee - < praktika.json

            Exit status: 0 every record translated, 1 some rejected, 2 a usage or document error.
            """)

    @Option(help: "The input's format.") var from: String
    @Option(help: "The output's format.") var to: String
    @Option(help: "vacancy or trainee (default: the one record type both formats hold, else vacancy).") var type: String?
    @Argument(help: "The input document; - for standard input.") var input: String
    @Option(name: .shortAndLong, help: ArgumentHelp("The output document; - (the default) for standard output.", valueName: "file")) var output = "-"
    @Option(help: ArgumentHelp("Write the per-record report (rejections, losses) as JSON here.", valueName: "file")) var report: String?
    @Option(name: .long, help: ArgumentHelp("The mappings folder.", valueName: "dir")) var mappings: String?
    @Option(name: .long, help: ArgumentHelp("The store whose imported taxonomy is in force.", valueName: "file")) var store: String?
    @Option(help: ArgumentHelp("The receiving agency, for exchange-json and exchange-xml output (VDAB, FOREM, ACTIRIS, ADG, BF).", valueName: "agency"))
    var receiver: String?

    func run() async throws {
        do {
            try await translate()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            FileHandle.standardError.write(Data("gateway translate: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    private func translate() async throws {
        let folder = try MappingsFolder.locate(explicit: mappings)
        let catalog = try folder.formatCatalog()
        for format in [from, to] where catalog.types(of: format).isEmpty {
            throw GatewayError("unknown format '\(format)'\(NearMiss.phrase(for: format, among: catalog.names)) (known: \(catalog.names.joined(separator: ", ")))")
        }
        let common = catalog.types(of: from).filter { catalog.types(of: to).contains($0) }
        let recordType: RecordType
        if let type {
            guard let t = RecordType(rawValue: type) else { throw GatewayError("--type is vacancy or trainee, not '\(type)'") }
            recordType = t
        } else {
            recordType = common.count == 1 ? common[0] : .vacancy
        }
        guard let source = catalog.format(from, type: recordType), let target = catalog.format(to, type: recordType) else {
            throw GatewayError("\(from) → \(to): both formats must hold \(recordType.rawValue) records (\(from): \(catalog.types(of: from).map(\.rawValue).joined(separator: ", ")); \(to): \(catalog.types(of: to).map(\.rawValue).joined(separator: ", ")))")
        }
        let storePath = store ?? ProcessInfo.processInfo.environment["GATEWAY_STORE"] ?? "var/gateway.sqlite"
        let taxonomy = try await TaxonomyInForce.load(mappings: folder, storePath: storePath)

        var receiving: Agency?
        if let receiver {
            guard let agency = catalog.agencies.agency(receiver.uppercased()) else {
                throw GatewayError("--receiver is one of \(catalog.agencies.listed), not '\(receiver)'")
            }
            receiving = agency
        }

        let inputHandle: FileHandle
        if input == "-" {
            inputHandle = .standardInput
        } else {
            guard FileManager.default.fileExists(atPath: input) else { throw ValidationError("\(input): no such file") }
            guard let h = FileHandle(forReadingAtPath: input) else { throw ValidationError("\(input): cannot be read (permissions?)") }
            inputHandle = h
        }
        // The output goes to a temporary file beside the target, renamed only when the document is
        // whole: a failed translation leaves no half-written file.
        let temporary = output == "-" ? nil : output + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        let outputHandle: FileHandle
        if let temporary {
            guard FileManager.default.createFile(atPath: temporary, contents: nil), let h = FileHandle(forWritingAtPath: temporary) else {
                throw GatewayError("\(output): cannot be written")
            }
            outputHandle = h
        } else {
            outputHandle = .standardOutput
        }
        // The report file is written as the records go: `records` first, the summary at the end.
        var reportFile: FileHandle?
        if let report {
            guard FileManager.default.createFile(atPath: report, contents: nil), let h = FileHandle(forWritingAtPath: report) else {
                throw GatewayError("\(report): cannot be written")
            }
            h.write(Data("{\n  \"records\": [".utf8))
            reportFile = h
        }
        let lineEncoder = JSONEncoder()
        lineEncoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var written = 0
        let result: TranslationReport
        do {
            result = try Translator(source: source, target: target, taxonomy: taxonomy, envelope: EnvelopeFields(receiver: receiving))
                .translate(ByteReader(handle: inputHandle), into: ByteWriter(handle: outputHandle), progress: { soFar in
                    FileHandle.standardError.write(Data("… \(soFar.read) records read\n".utf8))
                }, onRecord: { detail in
                    guard let reportFile, let line = try? lineEncoder.encode(detail) else { return }
                    reportFile.write(Data((written == 0 ? "\n    " : ",\n    ").utf8) + line)
                    written += 1
                })
        } catch {
            if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
            if let report { try? FileManager.default.removeItem(atPath: report) }
            throw GatewayError("\(input == "-" ? "standard input" : input): \(error)\(Self.hint(input: input, from: from, recordType: recordType, catalog: catalog))")
        }
        if let temporary {
            try? outputHandle.close()
            guard rename(temporary, output) == 0 else {
                try? FileManager.default.removeItem(atPath: temporary)
                throw GatewayError("\(output): cannot be written (\(String(cString: strerror(errno))))")
            }
        }
        if let reportFile {
            var summary = result
            summary.records = []
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            reportFile.write(Data("\n  ],\n  \"summary\": ".utf8) + (try encoder.encode(summary)) + Data("\n}\n".utf8))
            try reportFile.close()
        }
        var summary = "\(result.from) → \(result.to) (\(result.recordType), from \(result.sender)): \(result.read) read, \(result.translated) translated, \(result.rejected) rejected, \(result.losses) losses in \(result.recordsWithLosses) records"
        for r in result.records.prefix(20) {
            for rejection in r.rejections { summary += "\n  rejected #\(r.index + 1) \(r.recordId): \(rejection.field) \(rejection.code): \(rejection.message)" }
            for loss in r.losses { summary += "\n  loss #\(r.index + 1) \(r.recordId): \(loss)" }
        }
        let more = result.records.count + result.recordsNotKept - 20
        if more > 0 { summary += "\n  … \(more) more records with rejections or losses" + (report == nil ? " (use --report FILE)" : " in \(report!)") }
        FileHandle.standardError.write(Data((summary + "\n").utf8))
        if result.rejected > 0 { throw ExitCode(1) }
    }

    /// What a document that did not read may be instead, said after its fault: JSON given to an
    /// XML format (or the reverse), or records of the other type.
    static func hint(input: String, from: String, recordType: RecordType, catalog: FormatCatalog) -> String {
        var hints: [String] = []
        if input != "-", let handle = FileHandle(forReadingAtPath: input) {
            let head = (try? handle.read(upToCount: 256)).map { [UInt8]($0) } ?? []
            try? handle.close()
            let syntax = catalog.mapping(format: from, type: recordType).map { $0.syntax == .xml ? "XML" : "JSON" }
                ?? (from.hasSuffix("-xml") ? "XML" : from.hasSuffix("-json") ? "JSON" : nil)
            if let first = head.first(where: { ![9, 10, 13, 32, 0xEF, 0xBB, 0xBF].contains($0) }), let syntax {
                let looks = first == UInt8(ascii: "<") ? "XML" : (first == UInt8(ascii: "{") || first == UInt8(ascii: "[")) ? "JSON" : nil
                if let looks, looks != syntax { hints.append("the file looks like \(looks), and the \(from) format is \(syntax): is --from right?") }
            }
        }
        if hints.isEmpty, let other = RecordType.allCases.first(where: { $0 != recordType }), catalog.types(of: from).contains(other) {
            hints.append("read as \(recordType.rawValue) records; if it holds \(other.rawValue) records, give --type \(other.rawValue)")
        }
        return hints.isEmpty ? "" : " (" + hints.joined(separator: "; ") + ")"
    }
}
