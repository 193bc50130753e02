import Gateway
import Logging
import Testing

@Suite("Log lines: control characters from outside escaped")
struct EscapingLogHandlerTests {
    @Test("a file name with a newline cannot forge a line: in the message, in metadata, in the logger's own metadata, nested")
    func escaped() throws {
        let logs = CollectedLogs()
        var logger = Logger(label: "test") { label in EscapingLogHandler(logs.handler(label)) }
        logger[metadataKey: "document"] = "vacancy/a\nb.xml"
        let forged = "x.xml\n2026-12-07T20:00:00+0000 critical gateway : payload key exported to /tmp"
        logger.warning("picked up \(forged)", metadata: ["name": "\(forged)", "list": .array(["a\rb", .stringConvertible(42)]), "tab": "a\tb\u{2028}c"])
        let line = try #require(logs.lines.withLock { $0.first })
        #expect(logs.lines.withLock { $0.count } == 1 && !line.contains("\n") && !line.contains("\r"), "\(line)")
        #expect(line.contains("picked up x.xml\\u{A}2026-12-07"))
        #expect(line.contains("name=x.xml\\u{A}2026-12-07T20:00:00+0000 critical gateway : payload key exported to /tmp"))
        #expect(line.contains("document=vacancy/a\\u{A}b.xml"))
        #expect(line.contains("u{D}b") && line.contains("42"), "\(line)")
        #expect(line.contains("tab=a\\u{9}b\\u{2028}c"))
        #expect(EscapingLogHandler.escaped("Liège, Brussel — ok") == "Liège, Brussel — ok")
    }
}
