import Files
import Foundation

/// Reading the files a person names, with errors that say which file and why.
public enum LocalFiles {
    public static func bytes(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw GatewayError("\(path): no such file")
        }
        guard !isDirectory.boolValue else { throw GatewayError("\(path): is a folder, a file was expected") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GatewayError("\(path): cannot be read (permissions?)")
        }
        return [UInt8](data)
    }

    /// `path`, if it may hold a secret (keys, tokens, passwords): only its owner may read it, and
    /// nobody else may change its folder (`SecretFiles`); else why not.
    public static func ownerOnly(_ path: String) throws -> String {
        do { try SecretFiles.check(path) } catch let fault as FileFault { throw GatewayError(fault.description) }
        return path
    }

    /// A secret kept in an owner-only file (a password), without its trailing line break.
    public static func secret(_ path: String) throws -> String {
        String(decoding: try bytes(try ownerOnly(path)), as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    /// The names of the files in a folder, sorted.
    public static func names(in folder: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GatewayError("\(folder): no such folder")
        }
        return try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    public static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }
}
