import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The folders the gateway reads and writes documents in (the outgoing folder and the folders in
/// it, the back office's drop folder), checked before each use: a folder there — not a symbolic
/// link to one (`lstat`), so that nobody who writes beside it sends the gateway elsewhere — that
/// nobody else can change: not writable by others (unless sticky), and, for the folders the
/// gateway makes and keeps (`owned: true`), owned by the gateway's user or root. A folder whose
/// parent passes cannot be swapped for a link afterwards by anybody but that parent's owner.
///
/// ```swift
/// try CheckedFolder.check("/srv/forem/outgoing/done/vacancy", owned: true)
/// // "/srv/forem/outgoing/done/vacancy is a symbolic link (to /etc): the gateway does not follow it; …"
/// ```
public enum CheckedFolder {
    /// Throws, saying why and what to do, unless `path` is such a folder; nothing if it is not there.
    public static func check(_ path: String, owned: Bool) throws {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: break
        case S_IFLNK:
            var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(path, &target, target.count - 1)
            let to = n > 0 ? " (to \(String(decoding: target[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)))" : ""
            throw FileFault("\(path) is a symbolic link\(to): the gateway does not follow it; make it a folder, or name the folder it points to")
        default:
            throw FileFault("\(path) is not a folder")
        }
        let mode = status.st_mode & 0o7777
        if mode & 0o002 != 0, mode & S_ISVTX == 0 {
            throw FileFault("\(path) is writable by others (mode \(String(mode, radix: 8))): anyone could put or swap what the gateway reads and writes there; chmod o-w it")
        }
        if owned, status.st_uid != geteuid(), status.st_uid != 0 {
            throw FileFault("\(path) belongs to user \(status.st_uid), not to the gateway's (\(geteuid())) or root: that user can change what the gateway keeps there; chown it")
        }
    }

    /// `check` on `path` and on the folder that holds it (whose owner could swap it).
    public static func checkWithParent(_ path: String, owned: Bool) throws {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try check(parent, owned: false) }
        try check(path, owned: owned)
    }
}
