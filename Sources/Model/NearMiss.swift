/// The known name a mistyped one most likely meant, for "did you mean" in error messages: the
/// closest by Damerau–Levenshtein distance (a swap of two neighbours counts as one edit), ignoring
/// case, when it is close enough to be a slip — at most one edit for names of up to four
/// characters, two up to eight, three beyond.
///
/// ```swift
/// NearMiss.suggestion(for: "recieveKeyFile", among: ["receiveKeyFile", "sendKeyFile"])   // "receiveKeyFile"
/// NearMiss.suggestion(for: "colour", among: ["receiveKeyFile"])                          // nil
/// ```
public enum NearMiss {
    public static func suggestion(for typed: String, among known: some Sequence<String>) -> String? {
        let a = Array(typed.lowercased().unicodeScalars)
        let allowed = a.count <= 4 ? 1 : a.count <= 8 ? 2 : 3
        var best: (name: String, distance: Int)?
        for name in known {
            let d = distance(a, Array(name.lowercased().unicodeScalars))
            if d <= allowed, d < (best?.distance ?? .max) || (d == best?.distance && name < best!.name) { best = (name, d) }
        }
        return best?.name
    }

    /// " — did you mean X?" when there is a near miss, else "".
    public static func phrase(for typed: String, among known: some Sequence<String>) -> String {
        suggestion(for: typed, among: known).map { " — did you mean \($0)?" } ?? ""
    }

    /// Optimal string alignment distance (Damerau–Levenshtein without repeated edits of a substring).
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
