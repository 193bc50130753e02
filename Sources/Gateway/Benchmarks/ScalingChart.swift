import Foundation

/// A small SVG line chart for the benchmarks' scaling figures: x values at even steps (labelled),
/// one line per series, each panel with its own y axis from 0.
public struct ScalingChart: Sendable {
    public struct Panel: Sendable {
        public var title: String
        public var xLabel: String
        public var yLabel: String
        public var x: [String]
        public var series: [(name: String, values: [Double])]
        public init(title: String, xLabel: String, yLabel: String, x: [String], series: [(name: String, values: [Double])]) {
            self.title = title
            self.xLabel = xLabel
            self.yLabel = yLabel
            self.x = x
            self.series = series
        }
    }

    public var panels: [Panel]
    public init(panels: [Panel]) { self.panels = panels }

    static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"]

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    public var svg: String {
        let panelWidth = 420, panelHeight = 260, left = 70, top = 40, plotWidth = 300, plotHeight = 170
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(panelWidth * panels.count)\" height=\"\(panelHeight + 40)\" font-family=\"sans-serif\" font-size=\"11\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        for (p, panel) in panels.enumerated() {
            let x0 = p * panelWidth + left
            let maximum = max(1e-9, panel.series.flatMap(\.values).max() ?? 1) * 1.1
            out += "<text x=\"\(p * panelWidth + 10)\" y=\"20\" font-size=\"13\" font-weight=\"bold\">\(Self.escape(panel.title))</text>\n"
            out += "<line x1=\"\(x0)\" y1=\"\(top + plotHeight)\" x2=\"\(x0 + plotWidth)\" y2=\"\(top + plotHeight)\" stroke=\"#333\"/>\n"
            out += "<line x1=\"\(x0)\" y1=\"\(top)\" x2=\"\(x0)\" y2=\"\(top + plotHeight)\" stroke=\"#333\"/>\n"
            for tick in 0...4 {
                let value = maximum * Double(tick) / 4, y = top + plotHeight - plotHeight * tick / 4
                out += "<text x=\"\(x0 - 6)\" y=\"\(y + 4)\" text-anchor=\"end\">\(value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value))</text>\n"
                out += "<line x1=\"\(x0)\" y1=\"\(y)\" x2=\"\(x0 + plotWidth)\" y2=\"\(y)\" stroke=\"#ddd\"/>\n"
            }
            let step = panel.x.count > 1 ? plotWidth / (panel.x.count - 1) : 0
            for (i, label) in panel.x.enumerated() {
                out += "<text x=\"\(x0 + i * step)\" y=\"\(top + plotHeight + 16)\" text-anchor=\"middle\">\(Self.escape(label))</text>\n"
            }
            out += "<text x=\"\(x0 + plotWidth / 2)\" y=\"\(top + plotHeight + 34)\" text-anchor=\"middle\">\(Self.escape(panel.xLabel))</text>\n"
            out += "<text transform=\"translate(\(p * panelWidth + 14),\(top + plotHeight / 2)) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(panel.yLabel))</text>\n"
            for (s, series) in panel.series.enumerated() {
                let colour = Self.colours[s % Self.colours.count]
                let points = series.values.enumerated().map { i, v in "\(x0 + i * step),\(top + plotHeight - Int(Double(plotHeight) * v / maximum))" }
                out += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
                for point in points { out += "<circle cx=\"\(point.split(separator: ",")[0])\" cy=\"\(point.split(separator: ",")[1])\" r=\"3\" fill=\"\(colour)\"/>\n" }
                out += "<text x=\"\(x0 + plotWidth - 110)\" y=\"\(top + 12 + s * 14)\" fill=\"\(colour)\">\(Self.escape(series.name))</text>\n"
            }
        }
        return out + "</svg>\n"
    }
}
