import Foundation
import LedgerTestSupport
import Testing

/// The modules follow the data: what sits below the HTTP edge links none of it.
@Suite("The package's layout", .bounded)
struct PackageLayoutTests {
    /// Every target and product a target links, through the package's other targets.
    static func closure(of target: String, in targets: [String: [String]]) -> Set<String> {
        var seen: Set<String> = [], todo = targets[target] ?? []
        while let next = todo.popLast() {
            guard seen.insert(next).inserted else { continue }
            todo += targets[next] ?? []
        }
        return seen
    }

    @Test("Ledger and Statistics link no Hummingbird, AsyncHTTPClient, Yams, libxml2 or Formats; ExchangeProtocol links Model and Crypto only")
    func closures() async throws {
        // A scratch path of its own: the running `swift test` holds .build's lock.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("layout-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let dump = try await ChildProgram.run("/usr/bin/env", ["swift", "package", "--scratch-path", scratch.path, "dump-package"], in: Project.root)
        try #require(dump.status == 0, "swift package dump-package failed: \(dump.err)")
        let data = Data(dump.out.utf8)
        let package = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var targets: [String: [String]] = [:]
        for target in package["targets"] as? [[String: Any]] ?? [] {
            let name = target["name"] as? String ?? ""
            targets[name] = (target["dependencies"] as? [[String: [Any]]] ?? []).compactMap { dependency in
                guard let (kind, value) = dependency.first, let first = value.first as? String else { return nil }
                return kind == "product" ? "\(value.count > 1 ? (value[1] as? String ?? "") : ""):\(first)" : first
            }
        }
        let forbidden = ["hummingbird", "async-http-client", "Yams", "CLibXML2", "Formats", "ExchangeHTTP"]
        for target in ["Ledger", "Statistics", "ExchangeProtocol"] {
            let linked = Self.closure(of: target, in: targets)
            #expect(!linked.isEmpty, "\(target): no dependencies read")
            let offending = linked.filter { dependency in forbidden.contains { dependency == $0 || dependency.hasPrefix($0 + ":") } }
            #expect(offending.isEmpty, "\(target) links \(offending.sorted())")
        }
        #expect(Self.closure(of: "ExchangeProtocol", in: targets) == ["Model", "swift-crypto:Crypto"])
    }
}
