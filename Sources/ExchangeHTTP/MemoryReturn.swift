#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Gives freed memory back to the system once large requests stop coming: glibc keeps what a
/// burst of large bodies freed in its arenas (a gateway that read eight 16 MB batches stays near
/// its peak for minutes otherwise); `malloc_trim` returns the free pages of every arena. It runs
/// `quiet` after the last large body, not after each: trimming after every 7 MB batch of a busy
/// exchange cost a tenth of its time in page faults. (Swift's Glibc module does not declare
/// `malloc_trim` — it lives in `malloc.h` — so it is looked up once by name.)
enum MemoryReturn {
    /// Bodies at least this large count.
    static let largeBody = 4 << 20
    static let quiet: Duration = .seconds(2)

    private typealias Trim = @convention(c) (Int) -> Int32

    private static let trim: Trim? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: Trim.self)
        #else
        return nil
        #endif
    }()

    /// Which large body came last: a trim waits for none to follow it.
    private static let last = Atomic<Int>(0)

    static func afterLargeBody() {
        guard let trim else { return }
        let mine = last.wrappingAdd(1, ordering: .relaxed).newValue
        Task.detached(priority: .background) {
            try? await Task.sleep(for: quiet)
            if last.load(ordering: .relaxed) == mine { _ = trim(0) }
        }
    }
}
