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

    @Test("a record is built node by node as the tree libxml2 would have made: every attribute with its namespace, nested elements, text, white space between elements dropped")
    func builtWhole() throws {
        let (_, records) = try read(#"<lot xmlns="urn:x" xmlns:xsi="urn:xsi"><r a="1" b="2" xsi:type="T" c="3"><p>  <q z="9">text</q>  <q/>  </p><s>  kept  </s></r></lot>"#)
        let r = try #require(records.first)
        #expect(r.attributes == [.init(name: "a", value: "1"), .init(name: "b", value: "2"), .init(name: "type", value: "T", namespace: "urn:xsi"),
                                 .init(name: "c", value: "3")])
        #expect(r.namespace == "urn:x")
        #expect(r.children.map(\.name) == ["p", "s"])
        #expect(r.children[0].text == "" && r.children[0].children.map(\.name) == ["q", "q"])
        #expect(r.children[0].children[0] == XMLElement(name: "q", namespace: "urn:x", attributes: [.init(name: "z", value: "9")], text: "text"))
        #expect(r.children[1].text == "  kept  ")
    }

    @Test("each limit refuses the document, saying which", arguments: [
        ("<r>" + String(repeating: "<e/>", count: 5) + "</r>", "holds more than 4 elements"),
        ("<r><a><b><c/></b></a></r>", "more than 3 deep"),
        (#"<r a="1" b="2" c="3"/>"#, "more than 2 attributes"),
        (#"<r a="12345678901"/>"#, "longer than 10 bytes (the limit of an attribute)"),
        ("<r><t>12345678901</t></r>", "longer than 10 bytes (the limit of one element's text)"),
    ])
    func limits(text: String, says: String) throws {
        let reader = XMLDocumentReader(reader: ByteReader(bytes: Array("<lot xmlns=\"urn:x\">\(text)</lot>".utf8)), root: "lot", namespace: "urn:x", recordElement: "r")
        reader.limits.elementsPerRecord = 4
        reader.limits.depth = 3
        reader.limits.attributesPerElement = 2
        reader.limits.attributeBytes = 10
        reader.limits.textBytes = 10
        try reader.open()
        #expect { _ = try reader.nextRecord() } throws: { "\($0)".contains(says) }
    }
}
