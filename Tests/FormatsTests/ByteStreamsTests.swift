import Foundation
import Testing
import Formats

@Suite("Byte streams")
struct ByteStreamsTests {
    /// Single bytes, short strings and runs larger than the buffer, interleaved.
    static func pieces() -> [[UInt8]] {
        var pieces: [[UInt8]] = []
        for i in 0..<5_000 {
            switch i % 4 {
            case 0: pieces.append([UInt8(i % 256)])
            case 1: pieces.append(Array("é\(i),".utf8))
            case 2: pieces.append([])
            default: pieces.append([UInt8](repeating: UInt8(i % 251), count: i % 997 == 0 ? 200_000 : i % 300))
            }
        }
        return pieces
    }

    func write(_ pieces: [[UInt8]], to out: ByteWriter) {
        for (i, piece) in pieces.enumerated() {
            if piece.count == 1, i % 8 == 0 { out.write(byte: piece[0]) } else if i % 3 == 0 { out.write(piece) } else {
                piece.withUnsafeBufferPointer { out.write($0) }
            }
        }
        out.flush()
    }

    @Test("what is written in memory is collected in order, however it was written")
    func inMemory() {
        let pieces = Self.pieces()
        let out = ByteWriter()
        write(pieces, to: out)
        #expect(out.collected == pieces.flatMap { $0 })
        out.write("and more")
        out.flush()
        #expect(out.collected.suffix(8) == Array("and more".utf8))
    }

    @Test("what is written to a file arrives whole and in order, runs larger than the buffer included")
    func toFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        let pieces = Self.pieces()
        write(pieces, to: ByteWriter(handle: handle))
        try handle.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(pieces.flatMap { $0 }))
    }
}
