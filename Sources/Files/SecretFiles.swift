import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files that hold secrets (keys, tokens, passwords), checked before they are read: a regular file
/// readable by its owner only, owned by the gateway's user (or root), in a folder that nobody else
/// can change — not writable by group or others (unless sticky, as `/tmp` and a mounted secret
/// volume are, and the file is the gateway's or root's), and owned by the gateway's user or root.
/// A folder anyone can write to lets anyone replace the key with one of their own, whatever the
/// key's own mode.
///
/// A symbolic link to a key is followed, as secret mounts need (Kubernetes projects each key as a
/// link into a folder it replaces at once): the link's folder and the target's folder and file are
/// all checked.
///
/// ```swift
/// try SecretFiles.check("/run/secrets/forem-to-vdab.key")   // or throws, saying what to change
/// ```
public enum SecretFiles {
    /// Throws, saying why and what to change, unless `path` may hold a secret.
    public static func check(_ path: String) throws {
        var link = stat()
        guard lstat(path, &link) == 0 else { throw FileFault("\(path): no such file") }
        try checkFolder(parent(of: path), holding: path)
        var target = path
        if link.st_mode & S_IFMT == S_IFLNK {
            guard let resolved = realpath(path, nil) else { throw FileFault("\(path): a symbolic link to nothing (\(String(cString: strerror(errno))))") }
            target = String(cString: resolved)
            free(resolved)
            try checkFolder(parent(of: target), holding: "\(path) (a link to \(target))")
        }
        var file = stat()
        guard stat(target, &file) == 0 else { throw FileFault.errno(target, "read") }
        guard file.st_mode & S_IFMT == S_IFREG else { throw FileFault("\(target): is not a regular file") }
        let mode = file.st_mode & 0o7777
        guard mode & 0o077 == 0 else {
            throw FileFault("\(target) is readable by others (mode \(String(mode, radix: 8))): chmod 600 it")
        }
        guard file.st_uid == geteuid() || file.st_uid == 0 else {
            throw FileFault("\(target) belongs to user \(file.st_uid), not to the gateway's (\(geteuid())) or root: chown it")
        }
    }

    /// Throws unless `folder`, holding the secret `name`, can be changed by nobody else: owned by
    /// the gateway's user or root, and not writable by group or others — unless sticky (then
    /// others cannot remove or rename a file that is not theirs) and `name` is the gateway's or root's.
    public static func checkFolder(_ folder: String, holding name: String) throws {
        var status = stat()
        guard stat(folder, &status) == 0 else { throw FileFault.errno(folder, "looked at") }
        let mode = status.st_mode & 0o7777
        guard status.st_uid == geteuid() || status.st_uid == 0 else {
            throw FileFault("\(folder), which holds \(name), belongs to user \(status.st_uid), who can replace the key: "
                            + "keep keys in a folder of the gateway's user (\(geteuid())) or root")
        }
        guard mode & 0o022 != 0 else { return }
        var file = stat()
        let fileIsOurs = lstat(name, &file) == 0 && (file.st_uid == geteuid() || file.st_uid == 0)
        guard mode & S_ISVTX != 0, fileIsOurs else {
            throw FileFault("\(folder), which holds \(name), is writable by \(mode & 0o002 != 0 ? "others" : "its group") "
                            + "(mode \(String(mode, radix: 8))): whoever can write there can replace the key; chmod go-w it")
        }
    }

    private static func parent(of path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }
}
