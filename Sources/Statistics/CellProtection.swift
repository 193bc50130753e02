/// Small-cell protection of trainee statistics, for viewers below the operator role: a count of
/// persons' records under `minimumCell` could single a person out, so it is shown as `<5`.
///
/// - **Primary suppression**: every cell of 1 to `minimumCell - 1` is protected.
/// - **Secondary suppression**: a protected cell must not be derivable from a total shown beside
///   it. Within each group of cells that a total adds up (the cells sharing every dimension but the
///   last — a row of the dashboard's matrix — and the whole table, whose total is shown), a lone
///   protected cell takes the smallest other cell of its group with it; repeated until no group has
///   a lone one. A total itself under `minimumCell` is shown as `<5` too.
///
/// Vacancy statistics are not personal and stay exact.
///
/// ```swift
/// let shown = table.protecting(minimumCell: 5)   // shown.cell(i) == "<5" for the protected ones
/// ```
extension StatisticsTable {
    public func protecting(minimumCell: Int) -> StatisticsTable {
        var table = self
        table.minimumCell = minimumCell
        var hidden = Set(counts.indices.filter { counts[$0] > 0 && counts[$0] < minimumCell })
        // The rows first (in their order), then the whole table: the fewest cells taken.
        var groups: [[Int]] = []
        if columns.count >= 2 {
            groups = Dictionary(grouping: counts.indices) { Array(rows[$0].dropLast()) }.values.sorted { $0[0] < $1[0] }
        }
        groups.append(Array(counts.indices))
        var changed = !hidden.isEmpty
        while changed {
            changed = false
            for group in groups where group.filter(hidden.contains).count == 1 {
                guard let next = group.filter({ !hidden.contains($0) && counts[$0] > 0 }).min(by: { (counts[$0], $0) < (counts[$1], $1) }) else { continue }
                hidden.insert(next)
                changed = true
            }
        }
        table.protected = hidden.sorted()
        return table
    }

    /// Whether cell `i` is shown as `<minimumCell`.
    public func isProtected(_ i: Int) -> Bool { protected.contains(i) }

    /// Cell `i` as shown: its count, or `<5` when protected.
    public func cell(_ i: Int) -> String { isProtected(i) ? "<\(minimumCell ?? 0)" : String(counts[i]) }

    /// A total of `cells` as shown: `<5` when it is under the threshold and one of them is protected.
    public func shownTotal(of cells: [Int]) -> String {
        let sum = cells.map { counts[$0] }.reduce(0, +)
        if let m = minimumCell, sum > 0, sum < m, cells.contains(where: isProtected) { return "<\(m)" }
        return String(sum)
    }

    /// The table's total as shown.
    public var shownTotal: String { shownTotal(of: Array(counts.indices)) }
}
