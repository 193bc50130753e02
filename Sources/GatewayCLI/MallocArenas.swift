#if canImport(Glibc)
import Glibc

/// glibc's malloc keeps up to eight arenas per core, and memory freed into one arena is not
/// given back to another. A gateway's batch buffers are made on one thread and freed on another,
/// so arenas hold freed memory: with two, the year's end-to-end benchmark peaks at 269 MB instead
/// of 343 MB at Le Forem (141 instead of 165 at VDAB), at the same speed. `MALLOC_ARENA_MAX` in
/// the environment wins over this.
enum MallocArenas {
    static func limit(_ count: Int32) {
        guard getenv("MALLOC_ARENA_MAX") == nil, let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mArenaMax: Int32 = -8   // M_ARENA_MAX in <malloc.h>
        _ = unsafeBitCast(symbol, to: Mallopt.self)(mArenaMax, count)
    }
}
#else
enum MallocArenas {
    static func limit(_ count: Int32) {}
}
#endif
