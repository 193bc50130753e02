import Foundation
import Testing

/// `../shared/data` beside the project root, where the official ROME files are; tests that need it
/// are skipped, with this message, where it is absent.
enum SharedData {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data")
    static let romeV3 = root.appendingPathComponent("rome-v3/arbo_rome_ogr_202107.csv").path
    static let romeV4 = root.appendingPathComponent("rome-v4").path
    static let codes = romeV4 + "/unix_referentiel_code_rome_v460_utf8.csv"
    static let appellations = romeV4 + "/unix_referentiel_appellation_v460_utf8.csv"
    static var available: Bool { FileManager.default.fileExists(atPath: romeV3) && FileManager.default.fileExists(atPath: codes) }
    static let skipMessage: Comment = "../shared/data (official ROME files) is absent: skipped"

    static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }
}
