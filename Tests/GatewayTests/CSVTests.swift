import Foundation
import LedgerTestSupport
import Statistics
import Testing

/// The statistics' CSV as a spreadsheet reads it: Python's `csv` module (the reader spreadsheets'
/// import follows: RFC 4180 quoting) on the bytes written, with the byte-order mark.
@Suite("CSV for spreadsheets", .bounded)
struct CSVTests {
    @Test("accents, separators, quotes and line breaks survive; a cell that looks like a formula stays text")
    func spreadsheetReadsIt() async throws {
        let cells = [["Liège", "Formation \"PFI\", Wallonie"], ["Eupen; Sankt Vith", "deux\r\nlignes"], ["=cmd|' /C calc'!A0", "+32 87 00"],
                     ["@SUM(A1)", "-1+1"], ["Müller's", "\tonglet"]]
        let table = StatisticsTable(subject: "trainees", direction: "received", columns: ["région", "scheme"], rows: cells, counts: [1, 2, 3, 4, 5],
                                    window: "2019-01-01 to 2020-01-01", mode: .records, provisional: false, pruned: false)
        let csv = table.csv
        #expect(csv.utf8.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(csv.hasSuffix("\r\n"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("table.csv")
        try Data(csv.utf8).write(to: file)
        let python = try await ChildProgram.run("/usr/bin/env", ["python3", "-c", """
            import csv, json, sys
            with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:
                print(json.dumps(list(csv.reader(f))))
            """, file.path])
        try #require(python.status == 0, "\(python.err)")
        let data = Data(python.out.utf8)
        let read = try JSONDecoder().decode([[String]].self, from: data)
        #expect(read.first == ["région", "scheme", "count"])
        let expected = [["Liège", "Formation \"PFI\", Wallonie", "1"], ["Eupen; Sankt Vith", "deux\r\nlignes", "2"],
                        ["'=cmd|' /C calc'!A0", "'+32 87 00", "3"], ["'@SUM(A1)", "'-1+1", "4"], ["Müller's", "'\tonglet", "5"]]
        #expect(Array(read.dropFirst()) == expected)
    }
}
