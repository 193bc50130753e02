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
///
/// The buffer is raw memory of its own: writers call `write` for every byte and every short string
/// of a document, and an array's append (uniqueness and capacity checks, generic copying) cost
/// several times the copy itself there.
public final class ByteWriter {
    private let handle: FileHandle?
    private var storage: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int
    /// What was written when there is no file, once flushed: for tests and small documents.
    public private(set) var collected: [UInt8] = []

    public init(handle: FileHandle) {
        self.handle = handle
        capacity = 1 << 16
        storage = .allocate(capacity: capacity)
    }

    public init() {
        handle = nil
        capacity = 1 << 12
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    @inline(__always)
    public func write(byte: UInt8) {
        if count == capacity { makeRoom(for: 1) }
        storage[count] = byte
        count += 1
    }

    @inline(__always)
    public func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        if count + bytes.count > capacity { makeRoom(for: bytes.count) }
        (storage + count).update(from: base, count: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    public func write(_ bytes: some Sequence<UInt8>) {
        if bytes.withContiguousStorageIfAvailable({ write($0) }) != nil { return }
        for b in bytes { write(byte: b) }
    }

    public func write(_ text: String) { write(text.utf8) }

    /// To a file: what is buffered goes out first; in memory (or for a write larger than the
    /// buffer), the buffer grows.
    private func makeRoom(for n: Int) {
        if handle != nil {
            flush()
            if n <= capacity { return }
        }
        var grown = capacity * 2
        while grown < count + n { grown *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        larger.update(from: storage, count: count)
        storage.deallocate()
        (storage, capacity) = (larger, grown)
    }

    public func flush() {
        guard count > 0 else { return }
        let written = UnsafeBufferPointer(start: storage, count: count)
        if let handle { handle.write(Data(buffer: written)) } else { collected.append(contentsOf: written) }
        count = 0
    }
}
