/// A statistics table as text, CSV or JSON.
extension StatisticsTable {
    /// Aligned columns for a terminal, with the window and counting mode above.
    public var text: String {
        let header = columns + ["count"]
        let body = rows.indices.map { rows[$0] + [cell($0)] }
        let widths = header.indices.map { i in ([header[i]] + body.map { $0[i] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? String(repeating: " ", count: widths[i] - c.count) + c : c + String(repeating: " ", count: widths[i] - c.count) }
                .joined(separator: "  ")
        }
        var out = ["\(subject) \(direction), \(window), counting \(mode == .records ? "distinct records (in the period first exchanged, as their latest version says)" : "messages")"
                   + (provisional ? " — provisional: the current period is still open" : "")
                   + (pruned ? " — payloads in this window were pruned (the counts are not affected)" : "")]
        out.append(line(header))
        out += body.map(line)
        out.append("total \(shownTotal)" + (minimumCell.map { " (counts under \($0) shown as <\($0))" } ?? ""))
        return out.joined(separator: "\n") + "\n"
    }

    /// RFC 4180 CSV in UTF-8 with a byte-order mark (so that spreadsheets read the accents), comma
    /// separated, every field that needs it quoted, CRLF line ends. A text cell that a spreadsheet
    /// would take for a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return: a
    /// peer's scheme name, say) is written with a leading apostrophe, so it stays text.
    public var csv: String {
        let lines = [columns + ["count"]] + rows.indices.map { rows[$0].map(Self.textCell) + [cell($0)] }
        return "\u{FEFF}" + lines.map { $0.map(Self.quoted).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func textCell(_ s: String) -> String {
        guard let first = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return s }
        return "'" + s
    }

    static func quoted(_ s: String) -> String {
        // By scalar: "\r\n" is one Character, equal to neither "\r" nor "\n".
        s.unicodeScalars.contains(where: { ",\"\n\r;'".unicodeScalars.contains($0) })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
