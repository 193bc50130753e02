import Foundation
import LedgerTestSupport
import Statistics
import Testing

/// Small-cell protection: primary (cells under the threshold) and secondary (a lone protected cell
/// in a group whose total is shown takes the next smallest with it), in every output.
@Suite("Small-cell protection of trainee statistics", .bounded)
struct CellProtectionTests {
    static func table(_ rows: [[String]], _ counts: [Int]) -> StatisticsTable {
        StatisticsTable(subject: "trainees", direction: "received", columns: (0..<(rows.first?.count ?? 1)).map { "d\($0)" }, rows: rows, counts: counts,
                        window: "2019", mode: .records, provisional: false, pruned: false)
    }

    @Test("a cell under 5 is protected, and so is the smallest other cell of its row, so that the row's total does not give it away")
    func secondaryInRows() throws {
        let t = Self.table([["A", "x"], ["A", "y"], ["A", "z"], ["B", "x"], ["B", "y"]], [1, 7, 9, 6, 8]).protecting(minimumCell: 5)
        #expect(t.protected == [0, 1])
        #expect((0..<5).map(t.cell) == ["<5", "<5", "9", "6", "8"])
        #expect(t.shownTotal == "31")
        #expect(t.text.contains("<5") && !t.text.contains(" 1\n") && !t.text.contains(" 7\n"))
        #expect(t.csv.contains("A,x,<5\r\n") && t.csv.contains("A,y,<5\r\n"))
        let json = String(decoding: try JSONEncoder().encode(t), as: UTF8.self)
        #expect(json.contains(#""counts":["<5","<5",9,6,8]"#), "\(json)")
        let back = try JSONDecoder().decode(StatisticsTable.self, from: Data(json.utf8))
        #expect(back.protected == [0, 1] && back.counts == [0, 0, 9, 6, 8])
    }

    @Test("one dimension: a lone protected cell takes the next smallest; a total under the threshold is protected too")
    func secondaryInTheTotal() {
        let one = Self.table([["a"], ["b"], ["c"]], [3, 10, 12]).protecting(minimumCell: 5)
        #expect(one.protected == [0, 1] && one.shownTotal == "25")
        let small = Self.table([["a"], ["b"]], [1, 2]).protecting(minimumCell: 5)
        #expect(small.protected == [0, 1] && small.shownTotal == "<5")
        let none = Self.table([["a"], ["b"]], [5, 20]).protecting(minimumCell: 5)
        #expect(none.protected.isEmpty && none.shownTotal == "25" && (0..<2).map(none.cell) == ["5", "20"])
        // Zero cells are not persons: never protected, never taken as the second.
        let zero = Self.table([["a"], ["b"], ["c"]], [2, 0, 9]).protecting(minimumCell: 5)
        #expect(zero.protected == [0, 2])
        // Unprotected tables encode as before: plain numbers, no threshold.
        let plain = String(decoding: try! JSONEncoder().encode(Self.table([["a"]], [1])), as: UTF8.self)
        #expect(plain.contains(#""counts":[1]"#) && !plain.contains("minimumCell"))
    }
}
