import Foundation
import Model
import Statistics
import Taxonomy

/// The statistics dashboard as one server-rendered HTML page with inline SVG: no script, nothing
/// fetched from elsewhere, readable without JavaScript.
struct DashboardPage {
    let agency: Agency
    let labels: DashboardLabels
    let year: Int?
    let matrix: StatisticsTable
    let overTime: StatisticsTable
    let occupations: StatisticsTable
    let health: HealthReport
    let taxonomy: Taxonomy

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    func link(lang: LanguageCode) -> String {
        var items = ["lang=\(lang.rawValue)"]
        if let year { items.append("year=\(year)") }
        return "?" + items.joined(separator: "&amp;")
    }

    /// The sign-in page of `agency`'s gateway: one field, posted to `/login`, and where a token comes
    /// from; `refused` after a token that does not open it, `waitSeconds` when the address must wait
    /// before trying again (`SignInThrottle`).
    static func signIn(agency: Agency, labels l: DashboardLabels, refused: Bool, waitSeconds: Int?, formToken: String) -> String {
        """
        <!doctype html>
        <html lang="\(l.language.rawValue)"><head><meta charset="utf-8"><title>\(escape(l["title"])) — \(escape(l["signIn"]))</title></head><body>
        <h1>\(escape(l["title"])) — \(escape(l["gateway"])) \(agency.rawValue)</h1>
        <p id="whence">\(escape(l["tokenFrom"]))</p>
        \(refused ? "<p id=\"refused\">\(escape(l["wrongToken"]))</p>" : "")
        \(waitSeconds.map { "<p id=\"wait\">\(escape(l["wait"].replacingOccurrences(of: "{s}", with: "\($0)")))</p>" } ?? "")
        <form method="post" action="/login?lang=\(l.language.rawValue)"><label>\(escape(l["token"])) <input type="password" name="token" autocomplete="off" required></label><input type="hidden" name="csrf" value="\(formToken)">
        <button type="submit">\(escape(l["signIn"]))</button></form>
        </body></html>
        """
    }

    var html: String {
        let l = labels
        var out = """
            <!doctype html>
            <html lang="\(l.language.rawValue)"><head><meta charset="utf-8"><title>\(Self.escape(l["title"])) — \(agency.rawValue)</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2rem;color:#222}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
            table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.3rem .6rem;text-align:right}th{background:#eee}
            td.l,th.l{text-align:left}nav a{margin-right:.8rem}.note{color:#666;font-size:.9rem}
            </style></head><body>
            <nav>\([LanguageCode.french, .dutch, .german].map { "<a href=\"\(link(lang: $0))\">\($0.rawValue.uppercased())</a>" }.joined())
            <form method="post" action="/logout" style="display:inline"><button type="submit">\(Self.escape(l["signOut"]))</button></form></nav>
            <h1>\(Self.escape(l["title"])) — \(Self.escape(l["gateway"])) \(agency.rawValue)</h1>
            <p class="note">\(Self.escape(l["window"])): \(year.map(String.init) ?? Self.escape(l["all"])) · \(Self.escape(l["counting"]))\(matrix.provisional ? " · " + Self.escape(l["provisional"]) : "")</p>

            """
        // The trainee-flow matrix: referring agency (rows) × training agency (columns).
        out += "<h2 id=\"matrix\">\(Self.escape(l["matrix"]))</h2>\n"
        let rows = Array(Set(matrix.rows.map { $0[0] })).sorted(), columns = Array(Set(matrix.rows.map { $0[1] })).sorted()
        if rows.isEmpty {
            out += "<p>\(Self.escape(l["none"]))</p>\n"
        } else {
            // Cells by position, shown as the table shows them (small cells protected for staff).
            var cell: [String: Int] = [:]
            for (i, r) in matrix.rows.enumerated() { cell[r[0] + "→" + r[1]] = i }
            out += "<table id=\"trainee-matrix\"><tr><th class=\"l\">\(Self.escape(l["referring"])) \\ \(Self.escape(l["training"]))</th>"
                + columns.map { "<th>\($0)</th>" }.joined() + "<th>\(Self.escape(l["total"]))</th></tr>\n"
            for r in rows {
                let cells = columns.map { cell[r + "→" + $0] }
                out += "<tr><th class=\"l\">\(r)</th>" + cells.map { "<td>\(Self.escape($0.map(matrix.cell) ?? "0"))</td>" }.joined()
                    + "<td>\(Self.escape(matrix.shownTotal(of: cells.compactMap { $0 })))</td></tr>\n"
            }
            out += "</table>\n"
            if let m = matrix.minimumCell, !matrix.protected.isEmpty { out += "<p class=\"note\">\(Self.escape(l["protected"])) &lt;\(m)</p>\n" }
        }
        // Vacancies over time, by origin: bars per month, one colour per origin.
        out += "<h2>\(Self.escape(l["overTime"]))</h2>\n" + chart()
        // Top occupations, labelled in the viewer's language.
        out += "<h2>\(Self.escape(l["topOccupations"]))</h2>\n"
        let top = zip(occupations.rows, occupations.counts).sorted { ($1.1, $0.0[0]) < ($0.1, $1.0[0]) }.prefix(10)
        if top.isEmpty { out += "<p>\(Self.escape(l["none"]))</p>\n" } else {
            out += "<table><tr><th class=\"l\">\(Self.escape(l["occupation"]))</th><th>\(Self.escape(l["vacancies"]))</th></tr>\n"
            for (row, n) in top {
                let label = FicheCode(rawValue: row[0]).flatMap { taxonomy.fiche($0)?.labels[l.language] } ?? ""
                out += "<tr><td class=\"l\">\(row[0]) \(Self.escape(label))</td><td>\(n)</td></tr>\n"
            }
            out += "</table>\n"
        }
        // Rejection reasons.
        out += "<h2>\(Self.escape(l["rejections"]))</h2>\n"
        if health.rejections.isEmpty { out += "<p>\(Self.escape(l["none"]))</p>\n" } else {
            out += "<table><tr><th class=\"l\">\(Self.escape(l["code"]))</th><th class=\"l\">\(Self.escape(l["direction"]))</th><th>\(Self.escape(l["records"]))</th><th>\(Self.escape(l["rate"]))</th></tr>\n"
            for r in health.rejections {
                out += "<tr><td class=\"l\">\(Self.escape(r.code))</td><td class=\"l\">\(Self.escape(l[r.direction]))</td><td>\(r.records)</td><td>\(String(format: "%.1f %%", r.rate * 100))</td></tr>\n"
            }
            out += "</table>\n"
        }
        return out + "</body></html>\n"
    }

    /// Grouped bars, months along, one bar per origin in each month.
    func chart() -> String {
        let months = Array(Set(overTime.rows.map { $0[0] })).sorted(), origins = Array(Set(overTime.rows.map { $0[1] })).sorted()
        guard !months.isEmpty else { return "<p>\(Self.escape(labels["none"]))</p>\n" }
        var value: [String: Int] = [:]
        for (r, n) in zip(overTime.rows, overTime.counts) { value[r[0] + "|" + r[1]] = n }
        let maximum = max(1, overTime.counts.max() ?? 1)
        let colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]
        let barWidth = 14, groupGap = 16, height = 180, top = 10, left = 40
        let groupWidth = origins.count * barWidth + groupGap
        let width = left + months.count * groupWidth + 120
        var svg = "<svg id=\"flows-over-time\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height + 50)\" role=\"img\" aria-label=\"\(Self.escape(labels["overTime"]))\">\n"
        svg += "<line x1=\"\(left)\" y1=\"\(top + height)\" x2=\"\(width - 110)\" y2=\"\(top + height)\" stroke=\"#444\"/>\n"
        svg += "<text x=\"\(left - 6)\" y=\"\(top + 10)\" text-anchor=\"end\" font-size=\"11\">\(maximum)</text>\n"
        for (m, month) in months.enumerated() {
            let x0 = left + m * groupWidth + groupGap / 2
            for (o, origin) in origins.enumerated() {
                let n = value[month + "|" + origin] ?? 0
                let h = n * height / maximum
                svg += "<rect x=\"\(x0 + o * barWidth)\" y=\"\(top + height - h)\" width=\"\(barWidth - 2)\" height=\"\(h)\" fill=\"\(colours[o % colours.count])\"><title>\(month) \(origin): \(n)</title></rect>\n"
            }
            svg += "<text x=\"\(x0)\" y=\"\(top + height + 16)\" font-size=\"11\">\(month)</text>\n"
        }
        for (o, origin) in origins.enumerated() {
            svg += "<rect x=\"\(width - 100)\" y=\"\(top + o * 18)\" width=\"12\" height=\"12\" fill=\"\(colours[o % colours.count])\"/>"
                + "<text x=\"\(width - 82)\" y=\"\(top + o * 18 + 11)\" font-size=\"12\">\(origin)</text>\n"
        }
        return svg + "</svg>\n"
    }
}
