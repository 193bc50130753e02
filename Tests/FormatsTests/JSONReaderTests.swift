import Foundation
import Testing
@testable import Formats

@Suite("Streaming JSON reader")
struct JSONReaderTests {
    func parse(_ text: String) throws -> JSONValue {
        try JSONParser(reader: ByteReader(bytes: Array(text.utf8))).value()
    }

    func document(_ text: String, records: String = "r", chunk: Int? = nil) throws -> (header: [(String, JSONValue)], records: [JSONValue]) {
        let reader = JSONDocumentReader(reader: ByteReader(bytes: Array(text.utf8)), recordsKey: records)
        try reader.open()
        var all: [JSONValue] = []
        while let r = try reader.nextRecord() { all.append(r) }
        return (reader.header, all)
    }

    @Test("values keep their order, their number text and every escape")
    func values() throws {
        let v = try parse(#"{"b": [1, -0.5, 2e3], "a": "é\n\u00e9\ud83d\ude00 & <x>", "c": null, "d": true}"#)
        guard case .object(let members) = v else { Issue.record("not an object"); return }
        #expect(members.map(\.0) == ["b", "a", "c", "d"])
        #expect(v["b"] == .array([.number("1"), .number("-0.5"), .number("2e3")]))
        #expect(v["a"] == .string("é\né😀 & <x>"))
        #expect(v["c"] == .null)
    }

    @Test("a document's header and records, one at a time, with members after the records")
    func documents() throws {
        let d = try document(#"{"bron": "VDAB", "r": [{"id": 1}, {"id": 2}], "extra": 3}"#)
        #expect(d.records.count == 2)
        #expect(d.header.map(\.0) == ["bron", "extra"])
        #expect(try document(#"{"bron": "VDAB", "r": []}"#).records.isEmpty)
    }

    @Test("faults are document errors with their line", arguments: [
        (#"{"a": 1, "a": 2}"#, "appears twice"),
        ("{\"a\": \"x\u{01}\"}", "control character"),
        (#"{"a": 01}"#, "not a JSON number"),
        (#"{"a": 1.}"#, "not a JSON number"),
        (#"{"a": tru}"#, "expected true"),
        (#"{"a": 1,}"#, "member name"),
        (#"{"a": [1 2]}"#, "expected ',' or ']'"),
        (#"{"a": "x"#, "ends inside a string"),
        (String(repeating: "[", count: 100) + String(repeating: "]", count: 100), "deeper than 64"),
    ])
    func faults(_ text: String, _ fragment: String) {
        #expect { _ = try parse(text) } throws: { "\($0)".contains(fragment) }
    }

    @Test("surrogate pairs are one character; a lone surrogate is read as U+FFFF, for the record's rules to refuse", arguments: [
        (#"{"a": "\ud83d\ude00"}"#, "😀"),
        (#"{"a": "x\ud800y"}"#, "x\u{FFFF}y"),
        (#"{"a": "\udc00"}"#, "\u{FFFF}"),
        (#"{"a": "\ud800\n"}"#, "\u{FFFF}\n"),
        (#"{"a": "\ud800\u0041"}"#, "\u{FFFF}A"),
        (#"{"a": "\ud800\ud800\udc00"}"#, "\u{FFFF}\u{10000}"),
    ])
    func surrogates(_ text: String, _ expected: String) throws {
        #expect(try parse(text)["a"] == .string(expected))
    }

    @Test("invalid UTF-8 in a string is refused")
    func utf8() {
        let bytes = Array(#"{"a": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: DocumentError.self) { _ = try JSONParser(reader: ByteReader(bytes: bytes)).value() }
    }

    @Test("a string's length limit holds whether it is read whole from memory or byte by byte across chunks")
    func stringLimit() throws {
        func parse(_ text: String, limit: Int, chunk: Int?) throws -> JSONValue {
            let bytes = Array(text.utf8)
            var reader = ByteReader(bytes: bytes)
            if let chunk {
                let path = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
                _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
                defer { try? FileManager.default.removeItem(atPath: path) }
                reader = ByteReader(handle: try #require(FileHandle(forReadingAtPath: path)), chunkSize: chunk)
            }
            return try JSONParser(reader: reader, maximumStringBytes: limit).value()
        }
        for chunk in [nil, 3] {
            #expect(try parse(#"{"a": "01234567é"}"#, limit: 10, chunk: chunk)["a"] == .string("01234567é"))
            #expect { _ = try parse(#"{"a": "012345678é"}"#, limit: 10, chunk: chunk) } throws: { "\($0)".contains("longer than 10 bytes") }
            #expect { _ = try parse("{\"a\": \"ab\u{01}\"}", limit: 10, chunk: chunk) } throws: { "\($0)".contains("control character") }
        }
    }

    @Test("document-level faults", arguments: [
        (#"{"bron": "VDAB"}"#, "no \"r\" array"),
        (#"[1]"#, "expected a JSON object"),
        (#"{"r": [1]} x"#, "text after the end"),
        ("{\n\"r\": [1,\n 2,]}", "line 3"),
    ])
    func documentFaults(_ text: String, _ fragment: String) {
        #expect { _ = try document(text) } throws: { "\($0)".contains(fragment) }
    }

    @Test("what the writer writes, the reader reads back the same")
    func writeRead() throws {
        let out = ByteWriter()
        let writer = JSONDocumentWriter(out: out, recordsKey: "r")
        let record = JSONValue.object([("t", .string("a\"b\\c\u{7}\n😀")), ("n", .number("38.5")), ("l", .array([])), ("o", .object([]))])
        writer.begin(header: [("bron", .string("VDAB"))])
        writer.write(record: record)
        writer.write(record: .object([("t", .null)]))
        writer.end()
        let d = try document(String(decoding: out.collected, as: UTF8.self))
        #expect(d.records == [record, .object([("t", .null)])])
        #expect(d.header.first?.1 == .string("VDAB"))
    }
}
