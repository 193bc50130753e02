import Testing
@testable import Formats

@Suite("Streaming XML reader (libxml2)")
struct XMLReaderTests {
    func read(_ text: String, root: String = "lot", namespace: String? = "urn:x", container: String? = nil) throws -> ([XMLElement.Attribute], [XMLElement]) {
        let reader = XMLDocumentReader(reader: ByteReader(bytes: Array(text.utf8)), root: root, namespace: namespace, recordElement: "r", container: container)
        try reader.open()
        var records: [XMLElement] = []
        while let r = try reader.nextRecord() { records.append(r) }
        return (reader.header, records)
    }

    @Test("records one at a time, attributes, CDATA and escapes, records back to back")
    func records() throws {
        let (header, records) = try read(#"<?xml version="1.0"?><lot xmlns="urn:x" from="A"><r id="1"><t><![CDATA[a & <b>]]></t><u>x &amp; &#x1F600;</u></r><r id="2"/></lot>"#)
        #expect(header.map(\.name) == ["from"])
        #expect(records.count == 2)
        #expect(records[0].children.map(\.text) == ["a & <b>", "x & 😀"])
        #expect(records[1].attribute("id") == "2")
    }

    @Test("ISO-8859-1 documents are read as what they say")
    func latin1() throws {
        let bytes = Array(#"<?xml version="1.0" encoding="ISO-8859-1"?><lot xmlns="urn:x"><r>"#.utf8) + [0x4C, 0x69, 0xE8, 0x67, 0x65] + Array("</r></lot>".utf8)
        let reader = XMLDocumentReader(reader: ByteReader(bytes: bytes), root: "lot", namespace: "urn:x", recordElement: "r")
        try reader.open()
        #expect(try reader.nextRecord()?.text == "Liège")
    }

    @Test("records inside a container, other elements kept as header elements")
    func container() throws {
        let reader = XMLDocumentReader(reader: ByteReader(bytes: Array(#"<b xmlns="urn:x"><T s="1"/><Rs><r/><r/></Rs></b>"#.utf8)),
                                       root: "b", namespace: "urn:x", recordElement: "r", container: "Rs")
        try reader.open()
        var n = 0
        while try reader.nextRecord() != nil { n += 1 }
        #expect(n == 2)
        #expect(reader.headerElements.first?.attribute("s") == "1")
    }

    @Test("hostile and malformed documents stop with a specific reason", arguments: [
        (#"<?xml version="1.0"?><!DOCTYPE lot [<!ENTITY x SYSTEM "file:///etc/passwd">]><lot xmlns="urn:x"><r>&x;</r></lot>"#, "DOCTYPE is not accepted"),
        (#"<?xml version="1.0"?><!DOCTYPE lot [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><lot xmlns="urn:x"><r>&b;</r></lot>"#, "DOCTYPE is not accepted"),
        (#"<lot xmlns="urn:x"><r></lot>"#, "not well-formed"),
        (#"<lot xmlns="urn:y"><r/></lot>"#, "namespace 'urn:y', expected 'urn:x'"),
        (#"<other xmlns="urn:x"/>"#, "root element is <other>"),
        (#"<lot xmlns="urn:x"><q/></lot>"#, "expected <r> elements only"),
        (#"<lot xmlns="urn:x"><r>&undefined;</r></lot>"#, "not well-formed"),
        ("", "not well-formed"),
    ])
    func hostile(_ text: String, _ fragment: String) {
        #expect { _ = try read(text) } throws: { "\($0)".contains(fragment) }
    }
}
