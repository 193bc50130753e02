import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a name in a folder is, seen without following it (`lstat`), and opening it for reading only
/// if it is a regular file: the pick-up folder is written by others, and a symbolic link there
/// (`vacancy/x -> ../../secrets/payload.key`) must not be read, nor a FIFO block the pick-up.
///
/// ```swift
/// switch RegularFile.kind(path) {
/// case .regular?: let handle = try RegularFile.open(path)   // O_NOFOLLOW | O_NONBLOCK, checked again
/// case let other?: print("\(path) left alone: it is \(other.description)")
/// case nil: break                                          // gone meanwhile
/// }
/// ```
public enum RegularFile {
    public enum Kind: String, Sendable, CustomStringConvertible {
        case regular, folder, symbolicLink, fifo, socket, device

        public var description: String {
            switch self {
            case .regular: "a regular file"
            case .folder: "a folder"
            case .symbolicLink: "a symbolic link"
            case .fifo: "a FIFO (named pipe)"
            case .socket: "a socket"
            case .device: "a device"
            }
        }

        init(_ mode: mode_t) {
            switch mode & S_IFMT {
            case S_IFREG: self = .regular
            case S_IFDIR: self = .folder
            case S_IFLNK: self = .symbolicLink
            case S_IFIFO: self = .fifo
            case S_IFSOCK: self = .socket
            default: self = .device
            }
        }
    }

    /// What `lstat` says of a path: its kind, its names (hard links) and its size.
    public struct Status: Sendable, Equatable {
        public var kind: Kind
        public var links: Int
        public var bytes: Int64
    }

    /// `path`'s status, not following a link; nil if there is nothing there.
    public static func status(_ path: String) -> Status? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return Status(kind: Kind(status.st_mode), links: Int(status.st_nlink), bytes: Int64(status.st_size))
    }

    /// What `path` is, not following a link; nil if there is nothing there.
    public static func kind(_ path: String) -> Kind? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return Kind(status.st_mode)
    }

    /// `path` opened for reading if it is a regular file: a link is not followed (`O_NOFOLLOW`), a
    /// FIFO does not block the opening (`O_NONBLOCK`), and what was opened is checked to be a
    /// regular file before anything is read.
    public static func open(_ path: String) throws -> FileHandle {
        let descriptor = Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            if Glibc.errno == ELOOP { throw FileFault("\(path): is a symbolic link, not a regular file: not read") }
            throw FileFault.errno(path, "read")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { close(descriptor); throw FileFault.errno(path, "read") }
        let kind = Kind(status.st_mode)
        guard kind == .regular else { close(descriptor); throw FileFault("\(path): is \(kind), not a regular file: not read") }
        // Another name reaches the same file (a hard link): perhaps one that must not be sent.
        guard status.st_nlink == 1 else {
            close(descriptor)
            throw FileFault("\(path): has \(status.st_nlink) names (hard links), and another may be a file that must not be sent: not read")
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }
}
