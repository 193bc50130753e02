import Foundation
import Gateway
import Ledger
import LedgerTestSupport
import Testing

@Suite("A gateway's store: SQLite or PostgreSQL, and the replica's settings", .bounded)
struct StoreConfigurationTests {
    static func write(_ temp: TemporaryFolder, store: String) throws -> String {
        try temp.write("forem.yaml", """
            agency: FOREM
            listen: 127.0.0.1:8402
            \(store)
            delivery: { folder: incoming, vacancy: forem }
            peers: {}
            """)
    }

    static func fails(_ store: String, with message: String, prepare: (TemporaryFolder) throws -> Void = { _ in }) throws {
        let temp = TemporaryFolder()
        try prepare(temp)
        let path = try write(temp, store: store)
        #expect { try GatewayConfiguration.load(path) } throws: { "\($0)".contains(message) }
    }

    @Test("a path or { path, synchronous } is SQLite; a postgres:// URL, or { url, passwordFile, tls, connections, lease, replica }, is PostgreSQL")
    func parsed() throws {
        let temp = TemporaryFolder()
        var c = try GatewayConfiguration.load(try Self.write(temp, store: "store: var/forem.sqlite"))
        #expect(c.store == .sqlite(path: temp.path("var/forem.sqlite"), synchronous: .full))
        #expect(c.replica == "\(Lease.hostName):8402" && c.lease == 60)
        c = try GatewayConfiguration.load(try Self.write(temp, store: "store: { path: forem.sqlite, synchronous: normal }"))
        #expect(c.store == .sqlite(path: temp.path("forem.sqlite"), synchronous: .normal))
        c = try GatewayConfiguration.load(try Self.write(temp, store: "store: postgres://gateway_forem@db.example:6432/gateway_forem"))
        guard case .postgres(let plain) = c.store else { Issue.record("\(c.store)"); return }
        #expect(plain.host == "db.example" && plain.port == 6432 && plain.user == "gateway_forem" && plain.database == "gateway_forem")
        // A server on another machine: TLS required unless the file says otherwise (a prefer would
        // be downgraded to clear text by whoever sits on the path); on loopback, prefer.
        #expect(plain.password == nil && plain.tls == .require && plain.connections == 8 && plain.caFile == nil)
        c = try GatewayConfiguration.load(try Self.write(temp, store: "store: postgres://gateway_forem@127.0.0.1:6432/gateway_forem"))
        guard case .postgres(let local) = c.store else { Issue.record("\(c.store)"); return }
        #expect(local.tls == .prefer)
        let secret = try temp.write("pg.password", "s3cret\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secret)
        c = try GatewayConfiguration.load(try Self.write(temp, store: """
            store:
              url: postgresql://gateway_forem@db.example/gateway_forem
              passwordFile: pg.password
              tls: require
              connections: 12
              lease: 30s
              replica: forem-a
            """))
        guard case .postgres(let full) = c.store else { Issue.record("\(c.store)"); return }
        #expect(full.port == 5432 && full.password == "s3cret" && full.tls == .require && full.connections == 12)
        #expect(c.replica == "forem-a" && c.lease == 30)
        #expect(c.store.description == "PostgreSQL at postgres://gateway_forem@db.example:5432/gateway_forem")   // no password
    }

    @Test("mistakes are named with the key and what to do")
    func mistakes() throws {
        try Self.fails("store: postgres://gateway:s3cret@db.example/gateway_forem", with: "holds a password: put it in an owner-only file named by store.passwordFile")
        try Self.fails("store: postgres://gateway@db.example", with: "names no database")
        try Self.fails("store: postgres://db.example/gateway", with: "names no user")
        try Self.fails("store: mysql://gateway@db.example/forem", with: "expected a SQLite file or a postgres:// URL")
        try Self.fails("store: { url: 'postgres://gateway@db/forem', synchronous: full }", with: "store.synchronous: is a setting of a SQLite store")
        try Self.fails("store: { path: forem.sqlite, replica: a }", with: "store.replica: is a setting of a PostgreSQL store")
        try Self.fails("store: { url: 'postgres://gateway@db/forem', tls: maybe }", with: "store.tls: expected disable, prefer, require")
        try Self.fails("store: { url: 'postgres://gateway@db/forem', connections: 1 }", with: "at least 2")
        try Self.fails("store: { url: 'postgres://gateway@db/forem', replica: 'a#1' }", with: "store.replica: expected a name without '#'")
        try Self.fails("store: { url: 'postgres://gateway@db/forem', pool: 3 }", with: "store.pool: unknown setting")
        try Self.fails("store: { url: 'postgres://gateway@db/forem', passwordFile: pg.password }", with: "is readable by others (mode 644): chmod 600 it") { temp in
            _ = try temp.write("pg.password", "s3cret")
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: temp.path("pg.password"))
        }
    }

    @Test("a replica's lease must outlast an attempt to send to the slowest peer")
    func leaseAndTimeout() throws {
        let temp = TemporaryFolder()
        try temp.keys("vdab-to-forem.key", "forem-to-vdab.key")
        func config(lease: String) throws -> String {
            try temp.write("forem-\(lease).yaml", """
                agency: FOREM
                listen: 127.0.0.1:8402
                store: { url: 'postgres://gateway@db/forem', lease: \(lease) }
                delivery: { folder: incoming, vacancy: forem }
                peers:
                  VDAB:
                    url: http://127.0.0.1:8401
                    receiveKeyFile: vdab-to-forem.key
                    sendKeyFile: forem-to-vdab.key
                    send: [vacancy]
                    limits: { timeout: 30s }
                """)
        }
        #expect { try GatewayConfiguration.load(try config(lease: "30s")) } throws: {
            "\($0)".contains("store.lease: 30s is not longer than peers.VDAB.limits.timeout (30s): a batch still being sent would be taken over")
        }
        #expect(try GatewayConfiguration.load(try config(lease: "45s")).lease == 45)
    }

    @Test("a PostgreSQL server that cannot be reached stops the start with one clear line",
          .enabled(if: Executable.available, "the gateway executable is not built (swift build): skipped"))
    func unreachable() async throws {
        let temp = TemporaryFolder()
        let port = try LocalNetwork.freePort()   // nothing listens there
        let config = try Self.write(temp, store: "store: { url: 'postgres://gateway@127.0.0.1:\(port)/gateway_forem', tls: disable }")
        let run = try await Executable.run(["serve", "--config", config])
        #expect(run.status == 1)
        #expect(run.err == "gateway serve: the PostgreSQL ledger at postgres://gateway@127.0.0.1:\(port)/gateway_forem cannot be reached: "
                + "connection refused (is the server running, and listening on that address?)\n", "\(run.err)")
    }
}
