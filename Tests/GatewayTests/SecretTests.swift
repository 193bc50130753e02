import ExchangeProtocol
import Files
import Foundation
import Gateway
import Testing

@Suite("Keys: weak ones refused, their folders checked, links to them followed and checked (issue 36)", .bounded)
struct SecretTests {
    @Test("a key shorter than 32 bytes, one byte or a short block repeated, or of few distinct bytes is weak; random hex and base64 are not")
    func strength() {
        func weak(_ text: String) -> String? { KeyStrength.weakness(of: Array(text.utf8)) }
        #expect(weak(String(repeating: "a", count: 16))?.contains("16 bytes; at least 32") == true)
        #expect(weak(String(repeating: "a", count: 32)) == "is one byte repeated: not a key")
        #expect(weak(String(repeating: "ab", count: 20)) == "is a block of 2 bytes repeated: not a key")
        #expect(weak(String(repeating: "12345678", count: 5)) == "is a block of 8 bytes repeated: not a key")
        #expect(weak(String(repeating: "0123456", count: 4) + "0123")?.contains("block of 7") == true)
        #expect(weak("aaaaaaaaaaaaaaaaaaaaaaaabbbbbbbbbbbbccccddddeeeeff")?.contains("different bytes") == true)
        #expect(weak("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabcdefghij")?.contains("bits") == true)
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        #expect(weak(bytes.map { String(format: "%02x", $0) }.joined()) == nil)
        #expect(weak(Data(bytes).base64EncodedString()) == nil)
        #expect(weak(TemporaryFolder.key("forem-to-vdab.key")) == nil, "the tests' keys pass")
    }

    @Test("a configuration naming a weak key is refused at load, saying how to make a good one")
    func weakKeyRefused() throws {
        let temp = TemporaryFolder()
        let config = try ConfigurationTests.write(temp)
        for (weak, said) in [(String(repeating: "a", count: 16), "16 bytes"), (String(repeating: "a", count: 40), "one byte repeated")] {
            try Data(weak.utf8).write(to: URL(fileURLWithPath: temp.path("vdab-to-forem.key")))
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: temp.path("vdab-to-forem.key"))
            #expect { try GatewayConfiguration.load(config) } throws: {
                "\($0)".contains("vdab-to-forem.key") && "\($0)".contains(said) && "\($0)".contains("gateway keys new")
            }
        }
    }

    @Test("a 0600 key in a folder others may write is refused; in a sticky folder, or a folder of the owner's, it is read")
    func folders() throws {
        let temp = TemporaryFolder()
        let key = try temp.write("keys/forem-to-vdab.key", TemporaryFolder.key("forem-to-vdab.key"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: temp.path("keys"))
        #expect(try LocalFiles.ownerOnly(key) == key)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: temp.path("keys"))
        #expect { try LocalFiles.ownerOnly(key) } throws: { "\($0)".contains("writable by others (mode 777)") && "\($0)".contains("chmod go-w") }
        try FileManager.default.setAttributes([.posixPermissions: 0o770], ofItemAtPath: temp.path("keys"))
        #expect { try LocalFiles.ownerOnly(key) } throws: { "\($0)".contains("writable by its group") }
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: temp.path("keys"))
        #expect(try LocalFiles.ownerOnly(key) == key, "sticky, as /tmp: others cannot replace the owner's file")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        #expect { try LocalFiles.ownerOnly(key) } throws: { "\($0)".contains("readable by others (mode 644)") }
    }

    @Test("a link to a key (as secret mounts make them) is read when the target and both folders pass, and refused when one does not")
    func links() throws {
        let temp = TemporaryFolder()
        let target = try temp.write("mounted/..data/forem-to-vdab.key", TemporaryFolder.key("forem-to-vdab.key"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target)
        for folder in ["mounted", "mounted/..data"] { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temp.path(folder)) }
        let link = temp.path("mounted/forem-to-vdab.key")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "..data/forem-to-vdab.key")
        #expect(try LocalFiles.ownerOnly(link) == link)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: temp.path("mounted/..data"))
        #expect { try LocalFiles.ownerOnly(link) } throws: { "\($0)".contains("..data") && "\($0)".contains("writable by others") }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temp.path("mounted/..data"))
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: target)
        #expect { try LocalFiles.ownerOnly(link) } throws: { "\($0)".contains("readable by others (mode 640)") }
        try FileManager.default.removeItem(atPath: target)
        #expect { try LocalFiles.ownerOnly(link) } throws: { "\($0)".contains("a symbolic link to nothing") }
    }

    @Test("gateway keys new makes an owner-only file of 64 hex digits that passes, and never overwrites one")
    func keysNew() async throws {
        guard Executable.available else { Issue.record("the gateway executable is not built"); return }
        let temp = TemporaryFolder()
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: temp.url.path)
        let file = temp.path("forem-to-vdab.key")
        let made = try await Executable.run(["keys", "new", file])
        #expect(made.status == 0, "\(made.err)")
        let text = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .newlines)
        #expect(text.count == 64 && text.allSatisfy(\.isHexDigit))
        #expect(KeyStrength.weakness(of: Array(text.utf8)) == nil)
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600)
        let again = try await Executable.run(["keys", "new", file])
        #expect(again.status == 2 && again.err.contains("is there already"))
        #expect(try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .newlines) == text)
    }
}
