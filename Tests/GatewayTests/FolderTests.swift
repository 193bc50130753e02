import ExchangeProtocol
import Files
import Foundation
import Gateway
import Ledger
import Model
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Folders that are links, foreign or open to all: the pick-up and the drop folder refuse them (issue 36)", .bounded)
struct FolderTests {
    /// A folder elsewhere with a document in it, as an attacker would point a link at.
    func elsewhere(_ f: PickupFixture) throws -> String {
        let folder = f.temp.path("elsewhere")
        try PrivateFiles.makeFolder(folder)
        try PrivateFiles.writeAtomically(try Translation.fixture("forem/vacancies.xml"), to: folder + "/not-for-the-gateway.xml")
        return folder
    }

    @Test("outgoing/vacancy replaced by a link to another folder: the pass stops, saying so; nothing there is moved or stored")
    func inboxLink() async throws {
        let f = PickupFixture()
        let store = try f.store()
        let target = try elsewhere(f)
        try PrivateFiles.makeFolder(f.outgoing)
        try FileManager.default.createSymbolicLink(atPath: LocalFiles.join(f.outgoing, "vacancy"), withDestinationPath: target)
        await #expect { try await f.pickup(store).run() } throws: { "\($0)".contains("vacancy is a symbolic link (to \(target))") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["not-for-the-gateway.xml"])
        #expect(try await store.sendingSummary().isEmpty)
    }

    @Test("outgoing/done or processing/ a link: the pass stops before any document is claimed; done/<type> a link the same")
    func gatewayFolderLinks() async throws {
        for link in ["done", "processing", "done/vacancy", "rejected"] {
            let f = PickupFixture()
            let store = try f.store()
            let target = try elsewhere(f)
            try f.export(try Translation.fixture("forem/vacancies.xml"), as: "a.xml")
            let path = LocalFiles.join(f.outgoing, link)
            try PrivateFiles.makeFolder((path as NSString).deletingLastPathComponent)
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
            await #expect("\(link)") { try await f.pickup(store).run() } throws: { "\($0)".contains("is a symbolic link") }
            #expect(f.names("vacancy") == ["a.xml"], "\(link): the document is not claimed")
            #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["not-for-the-gateway.xml"], "\(link)")
            #expect(try await store.sendingSummary().isEmpty, "\(link)")
        }
    }

    @Test("an outgoing folder writable by others is refused; sticky, it is taken")
    func openToAll() async throws {
        let f = PickupFixture()
        let store = try f.store()
        try f.export(try Translation.fixture("forem/vacancies.xml"), as: "a.xml")
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: f.outgoing)
        await #expect { try await f.pickup(store).run() } throws: { "\($0)".contains("writable by others (mode 777)") && "\($0)".contains("chmod o-w") }
        #expect(f.names("vacancy") == ["a.xml"])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: f.outgoing)
        try PrivateFiles.makeFolder(LocalFiles.join(f.outgoing, "done"))
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: LocalFiles.join(f.outgoing, "done"))
        await #expect { try await f.pickup(store).run() } throws: { "\($0)".contains("done is writable by others") }
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: LocalFiles.join(f.outgoing, "done"))
        #expect(try await f.pickup(store).run().map(\.queued) == [4])
    }

    @Test("a folder of the gateway's owned by another user is refused (run as root: the folder given to nobody)",
          .enabled(if: geteuid() == 0, "chown to another user needs root; CI runs as root"))
    func foreignOwner() async throws {
        let f = PickupFixture()
        let store = try f.store()
        try f.export(try Translation.fixture("forem/vacancies.xml"), as: "a.xml")
        try PrivateFiles.makeFolder(LocalFiles.join(f.outgoing, "processing/vacancy"))
        #expect(chown(LocalFiles.join(f.outgoing, "processing"), 65_534, 65_534) == 0)
        await #expect { try await f.pickup(store).run() } throws: { "\($0)".contains("processing belongs to user 65534") }
        #expect(f.names("vacancy") == ["a.xml"])
        // The back office's inbox may be the back office's own.
        #expect(chown(LocalFiles.join(f.outgoing, "processing"), geteuid(), getegid()) == 0)
        #expect(chown(LocalFiles.join(f.outgoing, "vacancy"), 65_534, 65_534) == 0)
        #expect(try await f.pickup(store).run().map(\.queued) == [4])
    }

    @Test("the drop folder a link: the delivery fails, saying so, nothing is written at the link's target, and the batch stays to deliver")
    func dropFolderLink() async throws {
        let temp = TemporaryFolder()
        let store = try SQLiteStore(path: temp.path("vdab.sqlite"))
        _ = try await DeliveryTests().receiveOnly(store, try ReceivingFixture.batch())
        let target = temp.path("elsewhere")
        try PrivateFiles.makeFolder(target)
        try FileManager.default.createSymbolicLink(atPath: temp.path("incoming"), withDestinationPath: target)
        let delivery = BackOfficeDelivery(agency: .vdab, folder: temp.path("incoming"), formats: [.vacancy: "vdab"], catalog: Translation.catalog,
                                          taxonomy: Translation.taxonomy, ledger: store)
        await #expect { try await delivery.deliverPending() } throws: { "\($0)".contains("incoming is a symbolic link (to \(target))") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).isEmpty)
        #expect(try await store.undeliveredBatches().count == 1)
        // Its parent open to all is refused as well; made a folder of its own, the batch goes.
        try FileManager.default.removeItem(atPath: temp.path("incoming"))
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: temp.url.path)
        await #expect { try await delivery.deliverPending() } throws: { "\($0)".contains("writable by others") }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temp.url.path)
        #expect(try await delivery.deliverPending() == 1)
    }
}
