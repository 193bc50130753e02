import Foundation

/// Bytes read in chunks from a file, standard input or memory, one byte at a time, counting lines.
/// Holding one chunk, never the whole document.
public final class ByteReader {
    private let handle: FileHandle?
    private var buffer: [UInt8]
    private var index = 0
    private let chunkSize: Int
    /// The line of the next byte, from 1.
    public private(set) var line = 1

    public init(handle: FileHandle, chunkSize: Int = 1 << 16) {
        self.handle = handle
        self.buffer = []
        self.chunkSize = chunkSize
    }

    public init(bytes: [UInt8]) {
        self.handle = nil
        self.buffer = bytes
        self.chunkSize = 0
    }

    @inline(__always)
    public func peek() -> UInt8? {
        if index < buffer.count { return buffer[index] }
        return refill() ? buffer[index] : nil
    }

    /// Copies up to `count` bytes into `destination` in one go (for libxml2's input callback, which
    /// counts lines itself); returns how many, 0 at the end.
    public func read(into destination: UnsafeMutableRawPointer, count: Int) -> Int {
        if index >= buffer.count && !refill() { return 0 }
        let n = min(count, buffer.count - index)
        buffer.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress! + index, byteCount: n) }
        index += n
        return n
    }

    /// Appends to `bytes` the run of bytes up to (not including) the next quote, backslash or
    /// control character — the plain part of a JSON string — straight from the buffer; returns
    /// whether any of them was outside ASCII. No line ends are in such a run.
    public func appendStringRun(to bytes: inout [UInt8]) -> Bool {
        var wide = false
        while true {
            if index >= buffer.count && !refill() { return wide }
            let start = index
            let stop: Int = buffer.withUnsafeBufferPointer { p in
                var i = start
                while i < p.count {
                    let b = p[i]
                    if b == 0x22 || b == 0x5C || b < 0x20 { break }
                    if b >= 0x80 { wide = true }
                    i += 1
                }
                return i
            }
            bytes.append(contentsOf: buffer[start..<stop])
            index = stop
            if stop < buffer.count { return wide }
        }
    }

    /// What `plainString` found.
    public enum PlainString { case text(String), invalidUTF8, other }

    /// The rest of a JSON string, up to and including its closing quote, made into a `String`
    /// straight from the buffer — when it has no escape or control character, lies in the chunk
    /// held and is at most `limit` bytes (most strings); `.other` consumes nothing (read it
    /// byte by byte instead).
    public func plainString(limit: Int) -> PlainString {
        let start = index
        let (found, end): (PlainString, Int) = buffer.withUnsafeBufferPointer { p in
            var i = start, wide = false
            let stop = min(p.count, start + limit + 1)
            while i < stop {
                let b = p[i]
                if b == 0x22 {
                    let run = UnsafeBufferPointer(rebasing: p[start..<i])
                    guard !wide else {
                        guard let s = String(validating: run, as: UTF8.self) else { return (.invalidUTF8, start) }
                        return (.text(s), i + 1)
                    }
                    return (.text(String(decoding: run, as: UTF8.self)), i + 1)
                }
                if b == 0x5C || b < 0x20 { return (.other, start) }
                if b >= 0x80 { wide = true }
                i += 1
            }
            return (.other, start)
        }
        index = end
        return found
    }

    @inline(__always)
    public func next() -> UInt8? {
        guard let b = peek() else { return nil }
        index += 1
        if b == 10 { line += 1 }
        return b
    }

    private func refill() -> Bool {
        guard let handle, let data = try? handle.read(upToCount: chunkSize), !data.isEmpty else { return false }
        buffer = [UInt8](data)
        index = 0
        return true
    }
}

/// Bytes written through a buffer to a file or standard output, or collected in memory.
public final class ByteWriter {
    private let handle: FileHandle?
    /// Written and not yet flushed. Without a file it grows until `flush`, which hands it to
    /// `collected` without a copy (the usual case: one document, flushed once at its end).
    private var buffer: [UInt8] = []
    /// What was written when there is no file: for tests and small documents.
    public private(set) var collected: [UInt8] = []

    public init(handle: FileHandle) { self.handle = handle; buffer.reserveCapacity(1 << 16) }
    public init() { self.handle = nil; buffer.reserveCapacity(1 << 10) }

    @inline(__always)
    public func write(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16, handle != nil { flush() }
    }

    /// One byte: a plain append (the generic `write` of a one-byte collection costs several times more).
    @inline(__always)
    public func write(byte: UInt8) {
        buffer.append(byte)
        if buffer.count >= 1 << 16, handle != nil { flush() }
    }

    public func write(_ text: String) { write(text.utf8) }

    public func flush() {
        guard !buffer.isEmpty else { return }
        if let handle {
            handle.write(Data(buffer))
            buffer.removeAll(keepingCapacity: true)
        } else if collected.isEmpty {
            swap(&collected, &buffer)
        } else {
            collected.append(contentsOf: buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }
}
