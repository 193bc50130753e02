import Foundation
import Gateway
import Ledger
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// One exit-code rule (issue 37, part): 0 done, 1 findings, 2 usage or configuration; a message
/// that names the thing and the next step, and no usage text once the command line was well formed.
@Suite("Bad inputs to the operators' commands: exit 2, the thing named, the next step said", .bounded,
       .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
struct ExitCodeTests {
    @Test("against a demo's ledgers (the configurations it leaves): unknown ids, agencies and keys, and a batch id's unique prefix",
          .timeLimit(.minutes(3)))
    func badInputs() async throws {
        let temp = TemporaryFolder()
        let folder = temp.path("demo")
        let outcome = try await Demo(project: Project.root, folder: folder) { _ in }.run(keepRunning: false)
        #expect(outcome.succeeded)
        let config = folder + "/vdab.yaml"
        let store = try SQLiteStore(path: folder + "/var/vdab/ledger.sqlite")
        let some = try #require(try await store.batches(BatchFilter()).first?.batchId)
        let bad = try temp.write("bad.yaml", try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "receiveKeyFile:", with: "recieveKeyFile:"))

        let cases: [(arguments: [String], status: Int32, said: [String])] = [
            (["batches", "show", "--config", config, "no-such-batch"], 2, ["no batch no-such-batch", "gateway batches list --config"]),
            (["batches", "show", "--config", config, "--peer", "FORME", some], 2, ["FORME is not an agency", "did you mean FOREM?"]),
            (["records", "show", "--config", config, "VDBA", "VD-1"], 2, ["VDBA is not an agency", "did you mean VDAB?"]),
            (["records", "show", "--config", config, "FOREM", "NO-SUCH-RECORD"], 2, ["FOREM NO-SUCH-RECORD: no version of it", "gateway batches list"]),
            (["stats", "vacancies", "--config", bad], 2, ["recieveKeyFile", "did you mean receiveKeyFile?"]),
            (["batches", "show", "--config", config, String(some.prefix(13))], 0, []),
        ]
        for c in cases {
            let run = try await Executable.run(c.arguments)
            #expect(run.status == c.status, "\(c.arguments.joined(separator: " ")): exit \(run.status), \(run.err.prefix(400))")
            for phrase in c.said { #expect(run.err.contains(phrase), "\(c.arguments.joined(separator: " ")): \(run.err.prefix(400))") }
            #expect(!run.err.contains("Usage:"), "\(c.arguments.joined(separator: " ")): a usage text for a well-formed command line")
            if c.status == 0 { #expect(run.out.contains(some), "a unique prefix shows its batch: \(run.out.prefix(300))") }
        }
    }
}

@Suite("gateway translate: a document that does not read says what it may be instead", .bounded,
       .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
struct TranslateHintTests {
    @Test("trainees read as vacancies suggest --type trainee; JSON given to an XML format says so; a missing file is 'no such file'; each exit 2")
    func hints() async throws {
        let temp = TemporaryFolder()
        let cases: [(arguments: [String], said: String)] = [
            (["translate", "--from", "vdab", "--to", "forem", "fixtures/vdab/trainees.json", "--output", temp.path("a.xml")], "give --type trainee"),
            (["translate", "--from", "forem", "--to", "vdab", "fixtures/vdab/vacancies.json", "--output", temp.path("b.json")],
             "the file looks like JSON, and the forem format is XML: is --from right?"),
            (["translate", "--from", "forem", "--to", "vdab", temp.path("nosuch.xml")], "nosuch.xml: no such file"),
        ]
        for c in cases {
            let run = try await Executable.run(c.arguments)
            #expect(run.status == 2 && run.err.contains(c.said), "\(c.arguments.joined(separator: " ")): exit \(run.status), \(run.err.prefix(400))")
        }
    }
}

@Suite("Help that teaches: no stray line-end backslash in a command's help", .bounded,
       .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
struct HelpTextTests {
    @Test("the operators' commands' help prints no line ending in a backslash (a Swift line continuation written twice)")
    func noStrayBackslash() async throws {
        for command in [["serve"], ["keys"], ["keys", "check"], ["keys", "new"], ["keys", "reseal"], ["proxy"], ["demo"], ["batches", "show"],
                        ["records", "show"], ["reconcile"]] {
            let help = try await Executable.run(command + ["--help"])
            #expect(help.status == 0, "\(command): \(help.err.prefix(200))")
            let stray = help.out.split(separator: "\n").filter { $0.hasSuffix("\\") }
            #expect(stray.isEmpty, "gateway \(command.joined(separator: " ")) --help: \(stray.prefix(3))")
        }
    }
}

@Suite("A gateway whose port is taken says so before it starts anything", .bounded,
       .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
struct ListenCheckTests {
    @Test("a port in use: gateway serve exits 2 with one line naming the address and the setting, no service started or cancelled")
    func portInUse() async throws {
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        #expect(withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0)
        #expect(listen(holder, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(holder, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        #expect(ListenCheck.problem(host: "127.0.0.1", port: port)?.contains("127.0.0.1:\(port) is in use") == true)
        #expect(ListenCheck.problem(host: "192.0.2.1", port: 8401)?.contains("not an address of this machine") == true)

        let temp = TemporaryFolder()
        let served = try await Executable.run(["serve", "--config", try ServeTests.configuration(in: temp, port: port)], timeout: .seconds(60))
        #expect(served.status == 2)
        #expect(served.err.contains("cannot listen: 127.0.0.1:\(port) is in use") && served.err.contains("change listen in"), "\(served.err)")
        #expect(!served.err.contains("CancellationError") && !served.err.contains("errno"), "\(served.err)")
    }
}
