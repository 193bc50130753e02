import Files
import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import Model
import Synchronization
import Testing

/// The files the gateway writes: nobody else reads them, nobody redirects them, and the pick-up
/// folder, which others write, is read only where it holds regular files.
@Suite("Files nobody else reads or redirects", .bounded)
struct FileModeTests {
    /// The mode bits of `path`, not following a link.
    static func mode(_ path: String) -> mode_t {
        var status = stat()
        return lstat(path, &status) == 0 ? status.st_mode & 0o7777 : 0
    }

    /// Every file and folder under `root` (not `root` itself) that its group or others may read,
    /// write or enter, with its mode.
    static func readableByOthers(under root: String) -> [String] {
        let names = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return names.sorted().compactMap { name in
            let mode = Self.mode(root + "/" + name)
            return mode & 0o077 != 0 ? "\(name) \(String(mode, radix: 8))" : nil
        }
    }

    @Test("folders 0700 and files 0600 whatever the umask; with a group, 0750 and 0640 and that group")
    func modes() throws {
        let temp = TemporaryFolder()
        let folder = temp.path("a/b/c")
        try PrivateFiles.makeFolder(folder)
        try PrivateFiles.writeAtomically(Array("records".utf8), to: folder + "/x.json")
        #expect([temp.path("a"), temp.path("a/b"), folder].map(Self.mode) == [0o700, 0o700, 0o700])
        #expect(Self.mode(folder + "/x.json") == 0o600)
        #expect(try LocalFiles.bytes(folder + "/x.json") == Array("records".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["x.json"], "no temporary file left")

        let shared = FileModes(group: getgid())
        try PrivateFiles.makeFolder(temp.path("g/h"), modes: shared)
        try PrivateFiles.writeAtomically(Array("records".utf8), to: temp.path("g/h/y.json"), modes: shared)
        #expect(Self.mode(temp.path("g/h")) == 0o750 && Self.mode(temp.path("g/h/y.json")) == 0o640)
        var status = stat()
        #expect(lstat(temp.path("g/h/y.json"), &status) == 0 && status.st_gid == getgid())
        #expect(throws: FileFault.self) { try FileModes(groupName: "no-such-group-\(UUID().uuidString.prefix(6))") }
    }

    @Test("an open SQLite ledger, its WAL and its shared memory are its owner's alone, under the test process's umask (022)")
    func ledgerModes() async throws {
        let temp = TemporaryFolder()
        let store = try SQLiteStore(path: temp.path("var/forem/ledger.sqlite"))
        try await store.setPaused(true, peer: .vdab)
        let files = try FileManager.default.contentsOfDirectory(atPath: temp.path("var/forem")).sorted()
        #expect(files.contains("ledger.sqlite-wal") && files.contains("ledger.sqlite-shm"), "\(files)")
        #expect(Self.readableByOthers(under: temp.path("var")).isEmpty, "\(Self.readableByOthers(under: temp.path("var")))")
        _ = store
    }

    @Test("a symbolic link planted where a file is made is refused, and what it points to is left as it was")
    func plantedLink() throws {
        let temp = TemporaryFolder()
        let victim = try temp.write("victim.txt", "untouched")
        try FileManager.default.createSymbolicLink(atPath: temp.path("planted"), withDestinationPath: victim)
        #expect(throws: FileFault.self) { try PrivateFiles.create(temp.path("planted")) }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "untouched")
    }

    @Test("the temporary file swapped for a link while it is written: the write fails, nothing reaches the link's target")
    func swappedTemporary() throws {
        let temp = TemporaryFolder()
        let folder = temp.path("drop")
        try PrivateFiles.makeFolder(folder)
        let stolen = try temp.write("stolen.txt", "")
        let fault = #expect(throws: FileFault.self) {
            try PrivateFiles.writeAtomically(to: folder + "/trainees.json") { handle in
                // The attacker's move, between the gateway's opening and its rename.
                let partial = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first(where: PrivateFiles.isTemporary))
                try FileManager.default.removeItem(atPath: folder + "/" + partial)
                try FileManager.default.createSymbolicLink(atPath: folder + "/" + partial, withDestinationPath: stolen)
                try handle.write(contentsOf: Array("national number 85073003328".utf8))
            }
        }
        #expect(fault?.description.contains("was replaced while it was written") == true, "\(String(describing: fault))")
        #expect(try LocalFiles.bytes(stolen).isEmpty)
        #expect(RegularFile.kind(folder + "/trainees.json") == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "the planted link is removed, not followed")
    }

    @Test("a delivery raced by someone swapping links into the drop folder never writes through them", .timeLimit(.minutes(1)))
    func racedDelivery() async throws {
        let temp = TemporaryFolder()
        let folder = temp.path("drop")
        try PrivateFiles.makeFolder(folder)
        let stolen = try temp.write("stolen.txt", "")
        let stop = Atomic<Bool>(false), swaps = Atomic<Int>(0)
        let attacker = Thread {
            while !stop.load(ordering: .relaxed) {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where PrivateFiles.isTemporary(name) {
                    if RegularFile.kind(folder + "/" + name) == .regular, unlink(folder + "/" + name) == 0, symlink(stolen, folder + "/" + name) == 0 {
                        swaps.add(1, ordering: .relaxed)
                    }
                }
            }
        }
        attacker.start()
        defer { stop.store(true, ordering: .relaxed) }
        let document = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        var refused = 0, written = 0
        let deadline = ContinuousClock.now + .seconds(30)
        while refused == 0, ContinuousClock.now < deadline {
            do {
                try PrivateFiles.writeAtomically(to: folder + "/batch-\(written + refused).json") { handle in
                    for part in stride(from: 0, to: document.count, by: 4096) { try handle.write(contentsOf: document[part..<part + 4096]) }
                }
                written += 1
            } catch let fault as FileFault {
                #expect(fault.description.contains("was replaced") || fault.description.contains("cannot be"), "\(fault)")
                refused += 1
            }
        }
        stop.store(true, ordering: .relaxed)
        #expect(refused > 0, "no swap was caught within 30 s (\(swaps.load(ordering: .relaxed)) swaps, \(written) writes)")
        #expect(try LocalFiles.bytes(stolen).isEmpty, "the link's target received records")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where !PrivateFiles.isTemporary(name) {
            // Renamed in whole by the gateway, or the attacker's own link renamed in after the check: never a part.
            let whole = try RegularFile.kind(folder + "/" + name) == .symbolicLink || (try LocalFiles.bytes(folder + "/" + name)).count == document.count
            #expect(whole, "\(name)")
        }
    }

    @Test("in the pick-up folder a link, a FIFO, a folder and a hard link to a secret are left where they are, unread, each said once in a report",
          .timeLimit(.minutes(1)))
    func pickupTakesRegularFilesOnly() async throws {
        let f = PickupFixture()
        let store = try f.store()
        let inbox = LocalFiles.join(f.outgoing, "vacancy")
        try PrivateFiles.makeFolder(inbox)
        let secret = try f.temp.write("secrets/payload.key", "0123456789abcdef-the-payload-key-material")
        try FileManager.default.createSymbolicLink(atPath: inbox + "/a-link.xml", withDestinationPath: secret)
        #expect(mkfifo(inbox + "/b-fifo.xml", 0o600) == 0)
        try FileManager.default.createDirectory(atPath: inbox + "/c-folder.xml", withIntermediateDirectories: false)
        try f.export(try Translation.fixture("forem/vacancies.xml"), as: "d-document.xml")
        #expect(link(secret, inbox + "/f-hardlink.xml") == 0, "\(String(cString: strerror(errno)))")
        // And one in processing/, as a crashed pass would have left a claimed name.
        try PrivateFiles.makeFolder(LocalFiles.join(f.outgoing, "processing/vacancy"))
        try FileManager.default.createSymbolicLink(atPath: LocalFiles.join(f.outgoing, "processing/vacancy/e-link.xml"), withDestinationPath: secret)

        let entries = try await f.pickup(store).run()
        #expect(entries.map(\.source) == ["vacancy/d-document.xml"])
        #expect(f.names("vacancy") == ["a-link.xml", "b-fifo.xml", "c-folder.xml", "f-hardlink.xml"])
        #expect(f.names("done/vacancy") == ["d-document.xml", "d-document.xml.report.json"])
        #expect(f.names("rejected/vacancy") == ["a-link.xml.report.json", "b-fifo.xml.report.json", "c-folder.xml.report.json", "e-link.xml.report.json",
                                                "f-hardlink.xml.report.json"])
        for (name, kind) in [("a-link.xml", "is a symbolic link"), ("b-fifo.xml", "is a FIFO"), ("c-folder.xml", "is a folder"), ("e-link.xml", "is a symbolic link"),
                             ("f-hardlink.xml", "has 2 names (hard links)")] {
            let report = try String(contentsOfFile: LocalFiles.join(f.outgoing, "rejected/vacancy/\(name).report.json"), encoding: .utf8)
            #expect(report.contains(kind) && report.contains("left where it is, unread"), "\(report)")
        }
        let ledger = try LocalFiles.bytes(f.temp.path("forem.sqlite")) + ((try? LocalFiles.bytes(f.temp.path("forem.sqlite-wal"))) ?? [])
        #expect(PersonalDataTests.leaks(in: ledger, of: ["the-payload-key-material"]).isEmpty, "the link's target went into the ledger")

        // Said once: a second pass finds the same and writes nothing new.
        let before = try FileManager.default.attributesOfItem(atPath: LocalFiles.join(f.outgoing, "rejected/vacancy/a-link.xml.report.json"))[.modificationDate] as? Date
        #expect(try await f.pickup(store).run().isEmpty)
        let after = try FileManager.default.attributesOfItem(atPath: LocalFiles.join(f.outgoing, "rejected/vacancy/a-link.xml.report.json"))[.modificationDate] as? Date
        #expect(before == after)
    }

    @Test("a document over pickup.maxDocumentMegabytes is left where it is, unread, said in a report")
    func pickupSizeCap() async throws {
        let f = PickupFixture()
        let store = try f.store()
        try f.export(try Translation.fixture("forem/vacancies.xml"), as: "small.xml")
        try f.export(Array(repeating: UInt8(ascii: " "), count: 3 << 20), as: "large.xml")
        let entries = try await f.pickup(store, maximumDocumentBytes: 2 << 20).run()
        #expect(entries.map(\.source) == ["vacancy/small.xml"])
        #expect(f.names("vacancy") == ["large.xml"])
        let report = try String(contentsOfFile: LocalFiles.join(f.outgoing, "rejected/vacancy/large.xml.report.json"), encoding: .utf8)
        #expect(report.contains("is 3 MiB, over the pick-up's limit of 2 MiB (pickup.maxDocumentMegabytes)"), "\(report)")
    }

    @Test("a regular file swapped for a link, a FIFO or a second name after it was listed is refused when opened, not followed, not waited on")
    func openRefuses() throws {
        let temp = TemporaryFolder()
        let secret = try temp.write("secret", "key material")
        try FileManager.default.createSymbolicLink(atPath: temp.path("link"), withDestinationPath: secret)
        #expect(mkfifo(temp.path("fifo"), 0o600) == 0)
        #expect(RegularFile.kind(temp.path("link")) == .symbolicLink && RegularFile.kind(temp.path("fifo")) == .fifo && RegularFile.kind(secret) == .regular)
        #expect(throws: FileFault.self) { try RegularFile.open(temp.path("link")) }
        #expect(throws: FileFault.self) { try RegularFile.open(temp.path("fifo")) }
        #expect(link(secret, temp.path("hard")) == 0)
        #expect { try RegularFile.open(temp.path("hard")) } throws: { "\($0)".contains("has 2 names (hard links)") }
        #expect(unlink(temp.path("hard")) == 0)
        #expect(throws: FileFault.self) { try RegularFile.open(temp.url.path) }
        #expect(try RegularFile.open(secret).readToEnd() == Data("key material".utf8))
    }

    @Test("the five demo gateways write nothing that their group or others may read: ledgers and their WAL, folders, deliveries, reports, keys")
    func demoModes() async throws {
        let temp = TemporaryFolder()
        #expect(try await Demo(project: Project.root, folder: temp.path("demo")) { _ in }.run(keepRunning: false).succeeded)
        let root = temp.path("demo")
        let all = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        #expect(all.contains { $0.hasSuffix("ledger.sqlite") }, "the ledgers are among the files looked at (their WAL is checkpointed away at the end: see `ledgerModes`)")
        #expect(all.contains { $0.contains("incoming") }, "deliveries are among the files looked at")
        #expect(all.count > 50, "\(all.count) files and folders")
        #expect(Self.readableByOthers(under: root).isEmpty, "\(Self.readableByOthers(under: root))")
    }
}
