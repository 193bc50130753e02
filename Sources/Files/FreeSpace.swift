#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The space an unprivileged process may still write on the file systems holding some folders.
public enum FreeSpace {
    /// The least free bytes among `folders`' file systems (nil: none could be measured). A folder
    /// that does not exist yet is measured at its nearest existing parent.
    public static func least(of folders: [String]) -> Int64? {
        folders.compactMap(bytes(at:)).min()
    }

    public static func bytes(at folder: String) -> Int64? {
        var path = folder.isEmpty ? "." : folder
        var info = statvfs()
        while statvfs(path, &info) != 0 {
            guard errno == ENOENT, let slash = path.lastIndex(of: "/") else { return nil }
            path = slash == path.startIndex ? "/" : String(path[..<slash])
            if path.isEmpty { path = "." }
        }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }
}
