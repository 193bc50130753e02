import Testing
@testable import Taxonomy

@Suite("Delimited text reader")
struct DelimitedTextTests {
    func rows(_ text: String, _ format: DelimitedText = .officialCSV) throws -> [DelimitedRow] {
        try format.rows(Array(text.utf8), file: "t.csv")
    }

    @Test("quoted fields, doubled quotes, fields across lines, CRLF, BOM")
    func quoting() throws {
        let text = "\u{FEFF}\"a\",\"b\"\r\n\"x \"\"y\"\"\",\"two\nlines\"\r\n\"z\",\"\"\n"
        let r = try rows(text)
        #expect(r.map(\.fields) == [["a", "b"], ["x \"y\"", "two\nlines"], ["z", ""]])
        #expect(r.map(\.line) == [1, 2, 4])
    }

    @Test("an unclosed quote names the line it opened on")
    func unclosed() {
        #expect(throws: TaxonomyError(file: "t.csv", line: 2, "a quoted field opened here is never closed")) {
            _ = try rows("\"a\",\"b\"\n\"c\",\"d\n\ne")
        }
    }

    @Test("text after a closing quote, or a quote inside a bare field, is refused")
    func strayQuotes() {
        #expect(throws: TaxonomyError.self) { _ = try rows("\"a\"b,c\n") }
        #expect(throws: TaxonomyError.self) { _ = try rows("a,b\"c\n") }
    }

    @Test("invalid UTF-8 is refused with its line")
    func utf8() {
        #expect(throws: TaxonomyError(file: "t.csv", line: 2, "not valid UTF-8")) {
            _ = try DelimitedText.officialCSV.rows(Array("a,b\n".utf8) + [0xC3, 0x28, 0x0A], file: "t.csv")
        }
    }

    @Test("mapping files: tabs, comments and blank lines skipped, quotes are text")
    func tsv() throws {
        let r = try rows("# comment\ncode\tlabel\n\nA\tsay \"hi\"\n", .mappingTSV)
        #expect(r.map(\.fields) == [["code", "label"], ["A", "say \"hi\""]])
        #expect(r.map(\.line) == [2, 4])
    }
}
