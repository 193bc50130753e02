/// One row of a delimited text file, with the line it starts on.
public struct DelimitedRow: Sendable {
    public let line: Int
    public let fields: [String]
}

/// Reads CSV-like text strictly: RFC 4180 quoting (optional), `\n` or `\r\n` line ends, fields that
/// span lines, a leading byte-order mark, optional comment lines. Every fault names its line, which
/// is why the project reads these files itself rather than through a CSV package: none of those
/// available reports where a row starts.
public struct DelimitedText: Sendable {
    public var delimiter: UInt8
    /// Whether `"` opens a quoted field. The project's own TSV files do not quote.
    public var quoting: Bool
    /// Lines starting with this byte are skipped, as are empty lines, when set.
    public var comment: UInt8?

    public static let officialCSV = DelimitedText(delimiter: UInt8(ascii: ","), quoting: true, comment: nil)
    public static let romeV3CSV = DelimitedText(delimiter: UInt8(ascii: ";"), quoting: true, comment: nil)
    public static let mappingTSV = DelimitedText(delimiter: UInt8(ascii: "\t"), quoting: false, comment: UInt8(ascii: "#"))

    public init(delimiter: UInt8, quoting: Bool, comment: UInt8?) {
        self.delimiter = delimiter
        self.quoting = quoting
        self.comment = comment
    }

    public func rows(_ bytes: [UInt8], file: String) throws(TaxonomyError) -> [DelimitedRow] {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var rows: [DelimitedRow] = []
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        let n = bytes.count

        func text(_ slice: ArraySlice<UInt8>, line: Int) throws(TaxonomyError) -> String {
            guard let s = String(validating: slice, as: UTF8.self) else {
                throw TaxonomyError(file: file, line: line, "not valid UTF-8")
            }
            return s
        }

        while i < n {
            let rowLine = line
            if let comment, bytes[i] == comment || bytes[i] == lf || (bytes[i] == cr && i + 1 < n && bytes[i + 1] == lf) {
                while i < n && bytes[i] != lf { i += 1 }
                i += 1
                line += 1
                continue
            }
            var fields: [String] = []
            var endOfRow = false
            while !endOfRow {
                if quoting && i < n && bytes[i] == quote {
                    let openLine = line
                    i += 1
                    var value: [UInt8] = []
                    var start = i
                    while true {
                        guard i < n else {
                            throw TaxonomyError(file: file, line: openLine, "a quoted field opened here is never closed")
                        }
                        if bytes[i] == quote {
                            value.append(contentsOf: bytes[start..<i])
                            if i + 1 < n && bytes[i + 1] == quote {
                                value.append(quote)
                                i += 2
                                start = i
                                continue
                            }
                            i += 1
                            break
                        }
                        if bytes[i] == lf { line += 1 }
                        i += 1
                    }
                    fields.append(try text(value[...], line: openLine))
                    guard i == n || bytes[i] == delimiter || bytes[i] == lf || (bytes[i] == cr && i + 1 < n && bytes[i + 1] == lf) else {
                        throw TaxonomyError(file: file, line: line, "unexpected text after a closing quote in field \(fields.count)")
                    }
                } else {
                    let start = i
                    while i < n && bytes[i] != delimiter && bytes[i] != lf { i += 1 }
                    var end = i
                    if i < n && bytes[i] == lf && end > start && bytes[end - 1] == cr { end -= 1 }
                    if quoting, bytes[start..<end].contains(quote) {
                        throw TaxonomyError(file: file, line: line, "a quote inside an unquoted field \(fields.count + 1)")
                    }
                    fields.append(try text(bytes[start..<end], line: line))
                }
                if i < n && bytes[i] == delimiter {
                    i += 1
                } else {
                    if i < n && bytes[i] == cr { i += 1 }
                    if i < n && bytes[i] == lf { i += 1; line += 1 }
                    endOfRow = true
                }
            }
            rows.append(DelimitedRow(line: rowLine, fields: fields))
        }
        return rows
    }
}

/// A file's header, by column name, so that columns can be found whatever their order.
struct Header {
    let file: String
    let columns: [String: Int]
    let count: Int

    /// Requires the named columns: a file without them is not of the expected kind.
    init(_ row: DelimitedRow?, file: String, kind: String, requires names: [String]) throws(TaxonomyError) {
        guard let row else { throw TaxonomyError(file: file, line: 0, "the file is empty; expected \(kind)") }
        var columns: [String: Int] = [:]
        for (i, name) in row.fields.enumerated() { columns[name] = i }
        let missing = names.filter { columns[$0] == nil }
        guard missing.isEmpty else {
            throw TaxonomyError(file: file, line: row.line,
                                "this is not \(kind): the header lacks \(missing.joined(separator: ", ")) (found: \(row.fields.prefix(8).joined(separator: ", ")))")
        }
        self.file = file
        self.columns = columns
        self.count = row.fields.count
    }

    /// The row's fields by column name, after checking the row has the header's shape.
    func fields(_ row: DelimitedRow, _ names: String...) throws(TaxonomyError) -> [String] {
        guard row.fields.count == count else {
            throw TaxonomyError(file: file, line: row.line, "expected \(count) fields as in the header, found \(row.fields.count)")
        }
        return names.map { row.fields[columns[$0]!] }
    }
}
