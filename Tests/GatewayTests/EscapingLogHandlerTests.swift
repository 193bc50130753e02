import Gateway
import Logging
import Synchronization
import Testing

@Suite("Log lines: control characters from outside escaped")
struct EscapingLogHandlerTests {
    /// Keeps what reaches it.
    final class Captured: Sendable {
        let lines = Mutex<[(String, Logger.Metadata)]>([])
    }

    struct Capture: LogHandler {
        let captured: Captured
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            captured.lines.withLock { $0.append((event.message.description, metadata.merging(event.metadata ?? [:]) { $1 })) }
        }
    }

    @Test("a file name with a newline cannot forge a line: in the message, in metadata, in the logger's own metadata, nested")
    func escaped() {
        let captured = Captured()
        var logger = Logger(label: "test") { _ in EscapingLogHandler(Capture(captured: captured)) }
        logger[metadataKey: "document"] = "vacancy/a\nb.xml"
        let forged = "x.xml\n2026-12-07T20:00:00+0000 critical gateway : payload key exported to /tmp"
        logger.warning("picked up \(forged)", metadata: ["name": "\(forged)", "list": .array(["a\rb", .stringConvertible(42)]), "tab": "a\tb\u{2028}c"])
        let (message, metadata) = captured.lines.withLock { $0[0] }
        #expect(!message.contains("\n") && message.contains("x.xml\\u{A}2026-12-07"))
        #expect(metadata["name"]?.description == "x.xml\\u{A}2026-12-07T20:00:00+0000 critical gateway : payload key exported to /tmp")
        #expect(metadata["document"]?.description == "vacancy/a\\u{A}b.xml")
        let list = metadata["list"]?.description ?? ""
        #expect(!list.contains("\r") && list.contains("u{D}b") && list.contains("42"), "\(list)")
        #expect(metadata["tab"]?.description == "a\\u{9}b\\u{2028}c")
        #expect(EscapingLogHandler.escaped("Liège, Brussel — ok") == "Liège, Brussel — ok")
    }
}
