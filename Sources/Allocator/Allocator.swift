/// Allocator: which malloc serves this process. With the package's `Jemalloc` trait the executables that
/// depend on this target link Debian's jemalloc (`CJemalloc`), which then replaces the C library's malloc for
/// the whole process; without it they use the C library's. ``Allocator/current`` says which is in use, checked
/// by allocating, not assumed from the build.
#if canImport(Glibc)
import Glibc
#endif
#if Jemalloc
import CJemalloc
#endif

public enum Allocator: Sendable, Equatable, CustomStringConvertible {
    /// jemalloc serves malloc; its version.
    case jemalloc(version: String)
    /// jemalloc is linked but the C library's malloc serves the process (it was found first).
    case jemallocLinkedNotInUse(version: String)
    /// The C library's malloc.
    case system

    /// The allocator serving this process (computed once).
    public static let current: Allocator = Allocator.probe()

    public var description: String {
        switch self {
        case .jemalloc(let version): "jemalloc \(version)"
        case .jemallocLinkedNotInUse(let version): "the C library's malloc (jemalloc \(version) is linked but not in use)"
        case .system: "the C library's malloc"
        }
    }

    private static func probe() -> Allocator {
        #if Jemalloc
        var version: UnsafePointer<CChar>? = nil
        var length = MemoryLayout<UnsafePointer<CChar>?>.size
        guard mallctl("version", &version, &length, nil, 0) == 0, let version else { return .system }
        let text = String(cString: version)
        // jemalloc counts what each thread has allocated through it: a block that it did not count came from
        // another allocator. The block is allocated as Swift allocates (the runtime's swift_slowAlloc, which
        // calls malloc) and used, so that the optimiser cannot remove the allocation.
        let before = allocatedByThisThread()
        let block = UnsafeMutableRawPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        let after = allocatedByThisThread()
        block.storeBytes(of: 1, as: UInt8.self)
        touch(block)
        block.deallocate()
        guard let before, let after, after >= before + 64 * 1024 else { return .jemallocLinkedNotInUse(version: text) }
        return .jemalloc(version: text)
        #else
        return .system
        #endif
    }

    #if Jemalloc
    @inline(never)
    private static func touch(_ block: UnsafeMutableRawPointer) {
        block.storeBytes(of: block.load(as: UInt8.self) &+ 1, as: UInt8.self)
    }

    private static func allocatedByThisThread() -> UInt64? {
        var value: UInt64 = 0
        var length = MemoryLayout<UInt64>.size
        return mallctl("thread.allocated", &value, &length, nil, 0) == 0 ? value : nil
    }
    #endif
}
