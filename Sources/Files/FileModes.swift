#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who may read what the gateway writes. By default its owner only: folders 0700, files 0600. With
/// a group named in the configuration (`files.group`), for a back office that reads the delivery and
/// pick-up folders under another user: folders 0750 and files 0640, owned by that group. Nobody else
/// ever reads or lists them.
///
/// ```swift
/// let modes = try FileModes(groupName: "backoffice")
/// try PrivateFiles.makeFolder("/var/lib/gateway/incoming", modes: modes)   // 0750, group backoffice
/// ```
public struct FileModes: Sendable, Equatable {
    /// The group that may read (nil: the owner only).
    public let group: gid_t?

    public static let ownerOnly = FileModes(group: nil)

    public init(group: gid_t?) { self.group = group }

    /// The group of that name, which must exist on this machine.
    public init(groupName: String) throws {
        guard let entry = getgrnam(groupName) else { throw FileFault("files.group: no group named '\(groupName)' on this machine") }
        group = entry.pointee.gr_gid
    }

    public var folder: mode_t { group == nil ? 0o700 : 0o750 }
    public var file: mode_t { group == nil ? 0o600 : 0o640 }
    /// The process's umask that gives at most these modes to what libraries create (SQLite's WAL).
    public var umask: mode_t { group == nil ? 0o077 : 0o027 }
}

/// A file that could not be written or read as it must be: which file, and why.
public struct FileFault: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }

    static func errno(_ path: String, _ doing: String) -> FileFault {
        FileFault("\(path): cannot be \(doing) (\(String(cString: strerror(Glibc.errno))))")
    }
}
