import Foundation
import CLibXML2
import Model
import Taxonomy

extension ExchangeFormat {
    /// Decodes one HR-XML 3.2 `PositionOpening` document that stands alone, outside a batch (as
    /// EURES exports them), through the exchange profile's vacancy rules: the record, or every
    /// reason it does not meet the profile. A document that is not one is a document error.
    public static func positionOpening(_ bytes: [UInt8], receiver: Agency, taxonomy: Taxonomy) throws(DocumentError) -> Decoded {
        xmlResetLastError()
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { xmlReadMemory($0, Int32(buffer.count), nil, nil, options) }
            }
        }
        guard let document else {
            let message = xmlGetLastError().flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "not well-formed XML"
            throw DocumentError(line: Int(xmlGetLastError()?.pointee.line ?? 0), "not well-formed XML: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        defer { xmlFreeDoc(document) }
        guard document.pointee.intSubset == nil else { throw DocumentError(line: 1, "a DOCTYPE is not accepted: these documents have no DTD") }
        guard let root = xmlDocGetRootElement(document) else { throw DocumentError(line: 1, "the document has no root element") }
        let element = try XMLDocumentReader.convert(root, line: 0)
        guard element.name == "PositionOpening", element.namespace == VacancyXML.hrxml else {
            throw DocumentError(line: 1, "the root element is <\(element.name)> in \(element.namespace ?? "no namespace"), expected an HR-XML 3 <PositionOpening>")
        }
        var faults: [FieldError] = []
        VacancyXML.shape.check(element, path: { element.name }, into: &faults)
        var decoded = ExchangeVacancy.decode(VacancyXML.json(element), sender: receiver, taxonomy: taxonomy, agencies: .profile, index: 0)
        if !faults.isEmpty { (decoded.errors, decoded.record) = (faults + decoded.errors, nil) }
        return decoded
    }
}
