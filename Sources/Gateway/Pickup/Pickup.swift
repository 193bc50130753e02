import AsyncHTTPClient
import ExchangeHTTP
import ExchangeProtocol
import Files
import Formats
import Foundation
import Ledger
import Logging
import Model
import NIOCore
import Taxonomy

/// Collects what the agency exported and queues it for the peers.
///
/// **Folder.** The back office drops documents into `vacancy/` and `trainee/` under the outgoing
/// folder (names starting with `.` are ignored: write there, then rename). Each is claimed by an
/// atomic rename into `processing/<type>/`, read, routed and batched; the ledger records the
/// document (by name and digest) in the same transaction as its batches; then a report is written
/// and the document moved to `done/<type>/` or, if it could not be read, `rejected/<type>/`. A
/// pass that crashes resumes with what is in `processing/`: a document the ledger has is only moved
/// on, so nothing is sent twice, and nothing claimed is skipped.
///
/// **HTTP export.** `GET <url>?type=<type>&since=<cursor>` answers a document (200, with the next
/// cursor in `X-Export-Cursor`) or nothing new (204). The cursor moves in the same transaction as the
/// batches; after a crash the same window is asked again and recognised.
public struct Pickup: Sendable {
    public let agency: Agency
    public let settings: PickupSettings
    public let peers: [Agency: PickupPlan.Peer]
    public let routing: Routing
    public let catalog: FormatCatalog
    public let taxonomy: Taxonomy
    public let store: any LedgerStore
    public var logger: Logger
    public var http: HTTPClient = OutgoingHTTP.shared
    /// The token and client certificate the export is called with (`pickup.tokenFile`,
    /// `pickup.certificate`), read again at a reload.
    public var access = Reloadable(EndpointAccess.none)
    /// The modes of the folders and reports the pick-up makes (`files.group`).
    public var fileModes = FileModes.ownerOnly

    public init(agency: Agency, settings: PickupSettings, peers: [Agency: PickupPlan.Peer], routing: Routing, catalog: FormatCatalog,
                taxonomy: Taxonomy, store: any LedgerStore, logger: Logger) {
        self.agency = agency
        self.settings = settings
        self.peers = peers
        self.routing = routing
        self.catalog = catalog
        self.taxonomy = taxonomy
        self.store = store
        self.logger = logger
    }

    /// One pass over the folder and the export; returns what each document became.
    @discardableResult
    public func run(now: Date = Date()) async throws -> [PickupEntry] {
        var entries: [PickupEntry] = []
        if let folder = settings.folder { entries += try await runFolder(folder, now: now) }
        if let url = settings.exportURL { entries += try await runExport(url, now: now) }
        return entries
    }

    func format(_ type: RecordType) throws -> any RecordFormat {
        guard let name = settings.formats[type], let format = catalog.format(name, type: type) else {
            throw GatewayError("pickup.\(type.rawValue): no format '\(settings.formats[type] ?? "")' holds \(type.rawValue) records (known: \(catalog.names.joined(separator: ", ")))")
        }
        return format
    }

    func plan(_ document: [UInt8], source: String, type: RecordType, now: Date) async throws -> PickupPlan {
        let (store, agency) = (self.store, self.agency)
        return try await PickupPlan.make(document: document, source: source, format: try format(type), agency: agency, peers: peers, routing: routing,
                                         taxonomy: taxonomy, now: now) { ids in try await store.routes(origin: agency, recordIds: ids) }
    }

    // MARK: the outgoing folder

    func runFolder(_ folder: String, now: Date) async throws -> [PickupEntry] {
        var entries: [PickupEntry] = []
        // The outgoing folder itself: nobody else may swap what is in it (`CheckedFolder`).
        do { try CheckedFolder.checkWithParent(folder, owned: true) } catch let fault as FileFault { throw GatewayError("the outgoing folder: \(fault.description)") }
        for type in RecordType.allCases where settings.formats[type] != nil {
            let inbox = try made(type.rawValue, in: folder, owned: false), processing = try made("processing/\(type.rawValue)", in: folder)
            // Where documents go next, checked before any is claimed: a link there stops the pass.
            try made("done/\(type.rawValue)", in: folder)
            try made("rejected/\(type.rawValue)", in: folder)
            // What a crashed pass had claimed, then what is new; each in name order. Only regular
            // files are claimed: a link, a FIFO, a folder is left where it is, unopened, and said.
            var claimed = try regularFiles(in: processing, type: type, folder: folder)
            for name in try regularFiles(in: inbox, type: type, folder: folder) {
                if RegularFile.kind(LocalFiles.join(processing, name)) != nil { continue }   // a name still being processed waits its turn
                guard rename(LocalFiles.join(inbox, name), LocalFiles.join(processing, name)) == 0 else { continue }   // taken by someone else
                claimed.append(name)
            }
            for name in claimed {
                entries.append(try await process(LocalFiles.join(processing, name), name: name, type: type, folder: folder, now: now))
            }
        }
        return entries
    }

    /// `relative` made in the outgoing folder `root` if missing, with the pick-up's modes, one
    /// folder at a time, each checked before it is used or made in (`CheckedFolder`): none a link,
    /// none writable by others, the gateway's own ones (all but the back office's inbox,
    /// `owned: false`) the gateway's user's. Returns its path.
    @discardableResult
    func made(_ relative: String, in root: String, owned: Bool = true) throws -> String {
        let components = relative.split(separator: "/")
        var path = root
        do {
            for (i, component) in components.enumerated() {
                path = LocalFiles.join(path, String(component))
                let own = owned || i < components.count - 1
                try CheckedFolder.check(path, owned: own)   // nothing if missing
                if RegularFile.kind(path) == nil {
                    try PrivateFiles.makeFolder(path, modes: fileModes)
                    try CheckedFolder.check(path, owned: own)
                }
            }
        } catch let fault as FileFault {
            throw GatewayError("the outgoing folder: \(fault.description)")
        }
        return path
    }

    /// The regular files in `folder` not starting with `.`, in name order, seen without following
    /// links, with one name each and within the size limit. Anything else is left alone, and said
    /// once: a report beside where the document's would go (`rejected/<type>/<name>.report.json`)
    /// and a warning.
    func regularFiles(in folder: String, type: RecordType, folder outgoing: String) throws -> [String] {
        var regular: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where !name.hasPrefix(".") {
            guard let status = RegularFile.status(LocalFiles.join(folder, name)) else { continue }   // gone meanwhile
            let document = "\(type.rawValue)/\(name)"
            let reason: String
            if status.kind != .regular {
                reason = "\(document) is \(status.kind), not a regular file: left where it is, unread (only regular files are picked up)"
            } else if status.links > 1 {
                reason = "\(document) has \(status.links) names (hard links): another name reaches the same file, perhaps one that must not be sent: "
                    + "left where it is, unread (copy the document rather than link it)"
            } else if status.bytes > settings.maximumDocumentBytes {
                reason = "\(document) is \(status.bytes >> 20) MiB, over the pick-up's limit of \(settings.maximumDocumentBytes >> 20) MiB "
                    + "(pickup.maxDocumentMegabytes): left where it is, unread"
            } else {
                regular.append(name)
                continue
            }
            let rejected = try made("rejected/\(type.rawValue)", in: outgoing), report = LocalFiles.join(rejected, name + ".report.json")
            if RegularFile.kind(report) != nil { continue }
            var note = PickupReport(source: document, format: settings.formats[type] ?? "", recordType: type.rawValue)
            note.documentError = reason
            do { try PrivateFiles.writeAtomically(Array(note.json.utf8), to: report, modes: fileModes) } catch let fault as FileFault { throw GatewayError(fault.description) }
            logger.warning("not picked up: left alone", metadata: ["document": "\(document)", "reason": "\(reason)"])
        }
        return regular.sorted()
    }

    /// Records read, routed and committed together: the part a pass cut short resumes after.
    public static let partRecords = 5_000

    /// Called with the claimed document's path once its copy is made (tests rewrite it there, as
    /// a back office still writing would).
    public var afterCopy: (@Sendable (String) throws -> Void)?

    func process(_ path: String, name: String, type: RecordType, folder: String, now: Date) async throws -> PickupEntry {
        // Read once: the claimed document is copied (hashed as it is read) into a file of the
        // gateway's own beside it, and everything after — the ledger's copy, the syntax check, the
        // batches, the file kept in done/ — is made of that copy. A document rewritten while it is
        // picked up changes nothing sent, stored or reported. A pass cut short takes the copy up again.
        let copy = LocalFiles.join((path as NSString).deletingLastPathComponent, ".\(name).copy")
        let sha256: String
        do {
            if RegularFile.kind(copy) == .regular {
                let handle = try RegularFile.open(copy)
                defer { try? handle.close() }
                sha256 = try sha256Hex(reading: handle)
            } else {
                sha256 = try Self.copyHashing(path, to: copy, modes: fileModes)
            }
        } catch let fault as FileFault { throw GatewayError(fault.description) }
        try afterCopy?(path)
        let source = "\(type.rawValue)/\(name)"
        var log = logger
        log[metadataKey: "document"] = "\(source)"
        let entry: PickupEntry
        if let before = try await store.pickup(source: source, sha256: sha256) {
            log.notice("document picked up before (same name and content): moved on, not sent again")
            entry = before
        } else {
            entry = try await pickUp(copy, source: source, sha256: sha256, type: type, now: now, log: log)
            log.info("document picked up", metadata: ["outcome": "\(entry.outcome.rawValue)", "records": "\(entry.records)", "queued": "\(entry.queued)",
                                                      "unchanged": "\(entry.unchanged)", "notRouted": "\(entry.notRouted)", "rejected": "\(entry.rejected)"])
        }
        // The report first, then the document: a crash between leaves the document to be moved again.
        let target = try made("\(entry.outcome == .done ? "done" : "rejected")/\(type.rawValue)", in: folder)
        var finalName = name
        if RegularFile.kind(LocalFiles.join(target, finalName)) != nil { finalName = "\(entry.sha256.prefix(12))-\(name)" }
        do {
            try PrivateFiles.writeAtomically(Array(entry.report.utf8), to: LocalFiles.join(target, finalName + ".report.json"), modes: fileModes)
        } catch let fault as FileFault { throw GatewayError(fault.description) }
        // The copy (what was read) goes to done/ or rejected/, then the claimed file goes: a crash
        // between leaves the claimed file, found again and recognised by the ledger.
        guard rename(copy, LocalFiles.join(target, finalName)) == 0 else {
            throw GatewayError("\(copy): cannot be moved to \(target) (\(String(cString: strerror(errno))))")
        }
        unlink(path)
        return entry
    }

    /// `path` copied whole into `copy` (written beside and renamed, flushed, with the pick-up's
    /// modes), hashed as it is read; its SHA-256.
    static func copyHashing(_ path: String, to copy: String, modes: FileModes) throws -> String {
        let source = try RegularFile.open(path)
        defer { try? source.close() }
        var digest = ""
        try PrivateFiles.writeAtomically(to: copy, modes: modes) { out in digest = try sha256Hex(reading: source, copyingInto: out) }
        return digest
    }

    /// Reads the document from its file in parts of `partRecords` records, each routed, batched and
    /// committed with the position reached, so that the first batches go out while the rest is read
    /// and memory holds one part. The whole document's syntax is checked first, so that a document
    /// that cannot be read sends nothing. A pick-up cut short goes on after its last part.
    func pickUp(_ path: String, source: String, sha256: String, type: RecordType, now: Date, log: Logger) async throws -> PickupEntry {
        let format = try self.format(type)
        func reading() throws -> (any RecordReading, FileHandle) {
            let handle: FileHandle
            do { handle = try RegularFile.open(path) } catch let fault as FileFault { throw GatewayError(fault.description) }
            return (format.reading(ByteReader(handle: handle), taxonomy: taxonomy), handle)
        }
        var entry = PickupEntry(source: source, sha256: sha256, recordType: type, outcome: .done)
        entry.format = format.format
        var report = PickupReport(source: source, format: format.format, recordType: type.rawValue)
        var position = 0
        var counts = PickupPlanner.Counts()
        if let progress = try await store.pickupPosition(source: source, sha256: sha256) {
            position = progress.position
            counts = .init(progress.counts)
            log.notice("a pick-up cut short goes on", metadata: ["position": "\(position)"])
        } else {
            let (check, handle) = try reading()
            defer { try? handle.close() }
            // The document goes into the ledger (its own writer thread) while its syntax is checked
            // here: both read the whole file, and the ledger keeps it whatever the check finds.
            let begun = entry
            async let stored: Void = store.beginPickup(begun, documentAt: path, now: now)
            var fault: String?
            do {
                let sender = try check.open()
                if sender != agency { fault = "the document's records come from \(sender), not from \(agency)" } else {
                    var records = 0
                    while try check.skip() {
                        records += 1
                        if records > settings.maximumDocumentRecords {
                            fault = "the document holds more than \(settings.maximumDocumentRecords) records (pickup.maxDocumentRecords): nothing of it is sent; "
                                + "split it, or raise the limit"
                            break
                        }
                    }
                }
            } catch { fault = error.description }
            try await stored
            if let fault {
                entry.outcome = .rejected
                report.documentError = fault
                report.counts = .init(entry)
                entry.report = report.json
                try await store.commitPickupPart(source: source, sha256: sha256, position: 0, counts: entry, batches: [], routed: [], notes: [],
                                           final: (.rejected, entry.report), now: now)
                return entry
            }
        }
        let (reader, handle) = try reading()
        defer { try? handle.close() }
        do {
            _ = try reader.open()
            for _ in 0..<position { guard try reader.skip() else { break } }
            var planner = PickupPlanner(type: type, agency: agency, peers: peers, routing: routing, taxonomy: taxonomy, now: now)
            planner.counts = counts
            planner.pseudonyms = store.payloadKeyInForce
            var ended = false
            while !ended {
                var part: [Decoded] = []
                while part.count < Self.partRecords, let decoded = try reader.next() { part.append(decoded) }
                ended = part.count < Self.partRecords
                if part.isEmpty { break }
                let before = try await store.routes(origin: agency, recordIds: part.compactMap { $0.record?.id.rawValue })
                for (i, decoded) in part.enumerated() {
                    try planner.route(decoded, index: position + i + 1) { before[$0.id.rawValue] ?? [:] }
                }
                let made = try planner.flush()
                position += part.count
                var progress = entry
                planner.counts.copy(into: &progress)
                try await store.commitPickupPart(source: source, sha256: sha256, position: position, counts: progress, batches: made.batches,
                                           routed: made.routed, notes: made.notes, final: nil, now: now)
            }
            counts = planner.counts
        } catch let error as DocumentError {
            // The syntax was checked whole before: the file changed under the pick-up.
            report.documentError = "\(error.description) (after \(position) records, which were queued)"
            entry.outcome = .rejected
        } catch let error as GatewayError {
            // A record that can never be sent (alone over the protocol's size): the document is
            // rejected with the reason rather than blocking the folder. Store faults stop the pass.
            report.documentError = "\(error.description) (after \(position) records, which were queued)"
            entry.outcome = .rejected
        }
        counts.copy(into: &entry)
        let contents = try await store.pickupContents(source: source, sha256: sha256)
        report.batches = contents.batches.map { .init(batchId: $0.batchId, peer: $0.peer, records: $0.records, encoding: $0.encoding) }
        report.add(contents.notes)
        report.counts = .init(entry)
        entry.report = report.json
        try await store.commitPickupPart(source: source, sha256: sha256, position: position, counts: entry, batches: [], routed: [], notes: [],
                                         final: (entry.outcome, entry.report), now: now)
        return entry
    }

    // MARK: the HTTP export

    func runExport(_ url: String, now: Date) async throws -> [PickupEntry] {
        var entries: [PickupEntry] = []
        for type in RecordType.allCases where settings.formats[type] != nil {
            let cursorKey = "\(url)#\(type.rawValue)"
            let since = try await store.pickupCursor(cursorKey) ?? ""
            var components = URLComponents(string: url)!
            components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "type", value: type.rawValue), URLQueryItem(name: "since", value: since)]
            var request = HTTPClientRequest(url: components.string!)
            access.value.apply(to: &request)
            let response: HTTPClientResponse
            do { response = try await http.execute(request, timeout: .seconds(60)) } catch {
                throw GatewayError("the export at \(url) did not answer: \(String(describing: error).prefix(200))")
            }
            let body = [UInt8](buffer: try await response.body.collect(upTo: 256 << 20))
            if response.status == .noContent { continue }
            guard response.status == .ok else { throw GatewayError("the export at \(url) answered \(response.status.code) for \(type.rawValue) records") }
            guard let next = response.headers.first(name: "X-Export-Cursor"), !next.isEmpty else {
                throw GatewayError("the export at \(url) answered without X-Export-Cursor: the position reached cannot be kept")
            }
            let source = "export:\(type.rawValue) since \(since.isEmpty ? "the start" : since)"
            if try await store.pickup(source: source, sha256: sha256Hex(body)) != nil { continue }
            let plan = try await plan(body, source: source, type: type, now: now)
            _ = try await store.commitPickup(plan.entry, batches: plan.batches, routed: plan.routed, cursor: (cursorKey, next), now: now)
            logger.info("export picked up", metadata: ["type": "\(type.rawValue)", "records": "\(plan.entry.records)", "queued": "\(plan.entry.queued)",
                                                       "notRouted": "\(plan.entry.notRouted)", "rejected": "\(plan.entry.rejected)"])
            entries.append(plan.entry)
        }
        return entries
    }
}
