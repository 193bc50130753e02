import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writing files that hold records, reports and ledgers so that nobody else reads them and nobody
/// redirects them: folders made with `FileModes.folder`; every file made through one descriptor
/// opened `O_CREAT | O_EXCL | O_NOFOLLOW` with `FileModes.file`, written, flushed to disk and only
/// then renamed into place, so that a reader sees the old file or the new one, never half.
///
/// A symbolic link planted where the temporary file goes is refused (`O_EXCL` with `O_NOFOLLOW`
/// never opens an existing name); one swapped in for the temporary file while it is written is
/// found before the rename (its inode is not the one written) and the write fails, the records
/// having gone nowhere but to the gateway's own, unlinked file.
///
/// ```swift
/// try PrivateFiles.writeAtomically(Array(report.utf8), to: "done/vacancy/x.json.report.json")
/// try PrivateFiles.writeAtomically(to: target, modes: modes) { handle in try handle.write(contentsOf: bytes) }
/// ```
public enum PrivateFiles {
    /// Sets the process's umask to `modes.umask` (077 by default), so that what a library makes
    /// on its own (SQLite's `-wal` and `-shm`) is no more readable than what the gateway makes.
    public static func restrictUmask(_ modes: FileModes = .ownerOnly) {
        _ = Glibc.umask(modes.umask)
    }

    /// Makes `path` and the folders above it that are missing, each with `modes.folder` (and its
    /// group); folders already there keep their modes.
    public static func makeFolder(_ path: String, modes: FileModes = .ownerOnly) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw FileFault("\(path): is a file, a folder was expected") }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try makeFolder(parent, modes: modes) }
        guard mkdir(path, modes.folder) == 0 || Glibc.errno == EEXIST else { throw FileFault.errno(path, "made") }
        // mkdir's mode is cut by the umask; the folder gets exactly its mode.
        guard chmod(path, modes.folder) == 0 else { throw FileFault.errno(path, "given its mode") }
        if let group = modes.group, chown(path, uid_t.max, group) != 0 { throw FileFault.errno(path, "given its group") }
    }

    /// A new file at `path`, for writing, that no other name reaches: `O_EXCL | O_NOFOLLOW`, so an
    /// existing file or a symbolic link there is an error, never opened.
    public static func create(_ path: String, modes: FileModes = .ownerOnly) throws -> FileHandle {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, modes.file)
        guard descriptor >= 0 else {
            if Glibc.errno == EEXIST { throw FileFault("\(path): is there already (a file or a link put there): not written") }
            throw FileFault.errno(path, "created")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        guard fchmod(descriptor, modes.file) == 0 else { throw FileFault.errno(path, "given its mode") }
        if let group = modes.group, fchown(descriptor, uid_t.max, group) != 0 { throw FileFault.errno(path, "given its group") }
        return handle
    }

    /// Writes `bytes` as the whole of `path`, atomically.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, modes: FileModes = .ownerOnly) throws {
        try writeAtomically(to: path, modes: modes) { try $0.write(contentsOf: bytes) }
    }

    /// Writes `path` through `body` on a temporary file beside it (`.<name>.<random>.partial`),
    /// flushed to disk, checked to be still the file written, then renamed over `path`.
    public static func writeAtomically(to path: String, modes: FileModes = .ownerOnly, _ body: (FileHandle) throws -> Void) throws {
        let folder = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
        let temporary = (folder.isEmpty ? "" : folder + "/") + ".\(name).\(UInt32.random(in: 0...UInt32.max)).partial"
        let handle = try create(temporary, modes: modes)
        do {
            try body(handle)
            try handle.synchronize()
            var written = stat(), there = stat()
            guard fstat(handle.fileDescriptor, &written) == 0, lstat(temporary, &there) == 0,
                  written.st_ino == there.st_ino, written.st_dev == there.st_dev else {
                throw FileFault("\(temporary): was replaced while it was written (by another user of the folder?): \(path) not written")
            }
            try handle.close()
            guard rename(temporary, path) == 0 else { throw FileFault.errno(path, "written") }
        } catch {
            try? handle.close()
            // Only what is still ours goes: unlink removes a link, never what it points to.
            unlink(temporary)
            throw error
        }
    }

    /// Whether `name` is a temporary file of `writeAtomically` (left by a crash if still there at start).
    public static func isTemporary(_ name: String) -> Bool { name.hasPrefix(".") && name.hasSuffix(".partial") }
}
