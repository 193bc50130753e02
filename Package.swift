// swift-tools-version: 6.1
// The interregional exchange gateway of Belgium's public employment and training services.
//
// Modules follow the data: Model (canonical records, validation) → Taxonomy (ROME v3, ROME 4.0,
// Competent, labels) and ExchangeProtocol (signatures, receipts, version rules, instants; Crypto
// only) → Formats (regional formats, exchange profile; libxml2, Yams) and Ledger (the store, over
// Files; no HTTP, no YAML, no XML: PackageLayoutTests) → Statistics (over Ledger) and ExchangeHTTP
// (the protocol's routes and peer client, over Formats) → Gateway (wiring) → GatewayCLI.
import PackageDescription

// The hot paths (reading, checking and writing records; the ledger) run without the runtime's
// exclusivity checks in release builds: they cost ~5 % of a received record (BENCHMARKS.md), and
// debug builds and tests keep them.
let hot: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "interregional-gateway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gateway", targets: ["GatewayCLI"]),
        .library(name: "Model", targets: ["Model"]),
        .library(name: "Taxonomy", targets: ["Taxonomy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.14.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
    ],
    targets: [
        // Canonical vacancy and trainee record, code lists, validation rules. Pure Swift, no I/O.
        .target(name: "Model", swiftSettings: hot),
        // ROME v3 tree, ROME 4.0 → v3, Competent → ROME, OGR appellations, fr/nl/de labels,
        // and the parsers of the official files and of `mappings/taxonomy/`. No HTTP, no database.
        .target(name: "Taxonomy", dependencies: ["Model"], swiftSettings: hot),
        // Regional formats and the exchange profile: declarative mappings (mappings/formats/*.yaml),
        // streaming readers and writers, per-record translation outcomes. No HTTP, no database.
        .target(name: "Formats", dependencies: ["Model", "Taxonomy", "ExchangeProtocol", "CLibXML2", .product(name: "Yams", package: "Yams")], swiftSettings: hot),
        // libxml2 (Debian's libxml2-dev), read as a stream with DTDs and entities refused.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // Files that hold records, written owner-only through one descriptor (`O_EXCL | O_NOFOLLOW`),
        // and read from folders others write only if they are regular files. Foundation only.
        .target(name: "Files"),
        // The exchange protocol be-pes-exchange/1 as values: request signatures, keys, receipts,
        // record-version rules, the incoming batch and the store it goes to, instants. Crypto only.
        .target(name: "ExchangeProtocol", dependencies: [
            "Model",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: hot),
        // The protocol over HTTP: its routes (Hummingbird) over the narrow store protocol, and the
        // peer client (AsyncHTTPClient).
        .target(name: "ExchangeHTTP", dependencies: [
            "Model", "Taxonomy", "Formats", "ExchangeProtocol",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ], swiftSettings: hot),
        // The store: its protocol, its SQLite (GRDB) and PostgreSQL (PostgresNIO) implementations,
        // versioned migrations, the outbox and the leases that let replicas share one database.
        .target(name: "Ledger", dependencies: [
            "Model", "Taxonomy", "ExchangeProtocol", "Files",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: hot),
        // Statistics: counts over the ledger, by the dimensions staff ask for, as tables, CSV and JSON.
        .target(name: "Statistics", dependencies: ["Model", "Ledger"], swiftSettings: hot),
        // Wiring: where the mappings live, which taxonomy is in force, what commands print.
        .target(name: "Gateway", dependencies: [
            "Model", "Taxonomy", "Formats", "ExchangeHTTP", "ExchangeProtocol", "Ledger", "Statistics", "Files",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
        ], swiftSettings: hot),
        // The `gateway` command: parse arguments, call a module, print.
        .executableTarget(name: "GatewayCLI", dependencies: [
            "Gateway", "ExchangeHTTP", "ExchangeProtocol", "Formats", "Ledger", "Taxonomy", "Model", "Statistics", "Files",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ModelTests", dependencies: ["Model"]),
        .testTarget(name: "TaxonomyTests", dependencies: ["Taxonomy", "Model"]),
        .testTarget(name: "FormatsTests", dependencies: ["Formats", "Taxonomy", "Model"]),
        .testTarget(name: "ExchangeTests", dependencies: [
            "ExchangeHTTP", "ExchangeProtocol", "Formats", "Taxonomy", "Model",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        // Ledgers for tests: a temporary SQLite file, or a database of its own on the PostgreSQL
        // server named by GATEWAY_TEST_POSTGRES.
        .target(name: "LedgerTestSupport", dependencies: ["Ledger", .product(name: "Logging", package: "swift-log")], path: "Tests/LedgerTestSupport"),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "LedgerTestSupport", "ExchangeHTTP", "ExchangeProtocol", "Formats", "Taxonomy", "Model",
                                                       .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "GatewayTests", dependencies: [
            "Gateway", "ExchangeHTTP", "ExchangeProtocol", "Formats", "Ledger", "LedgerTestSupport", "Taxonomy", "Model", "Statistics", "Files",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
    ]
)
