#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Per-thread copies of the sessions' current tokens, for the hot path.
///
/// With one shared token, callers on two threads write the same cache lines on every call (the
/// mutex, the string's reference count) and each call gets slower than on one thread. Here a
/// caller reads its own thread's copy and one atomic generation number that changes only when a
/// session's token changes, so callers on different threads share nothing they write. A thread
/// makes its copy (one allocation) the first time it sees a generation.
///
/// The object is owned by its thread through a pthread key; only that thread touches it, which
/// is why it needs no lock and is not `Sendable`.
final class ThreadTokenCache {
    /// One session's token as this thread last saw it; `token == nil` when the slot is empty.
    struct Entry {
        var generation: UInt64 = 0
        var mandatoryAt: Int64 = .min
        var token: AccessToken?
    }

    /// The entries, by slot, read in place: copying an entry out of an array cost the hot path more
    /// than everything else it does. Only the owning thread touches them.
    private(set) var entries: UnsafeMutablePointer<Entry>
    private(set) var count = 0

    private init() {
        self.entries = UnsafeMutablePointer<Entry>.allocate(capacity: 0)
    }

    deinit {
        self.entries.deinitialize(count: self.count)
        self.entries.deallocate()
    }

    /// The key of the per-thread caches; sessions keep a copy to skip the lazy global's check.
    static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            // The thread is exiting: drop its cache.
            guard let pointer else { return }
            Unmanaged<ThreadTokenCache>.fromOpaque(pointer).release()
        }
        return key
    }()

    /// Calls `body` with this thread's cache, created on first use, without retaining it.
    @inline(__always)
    static func withCurrent<R>(key: pthread_key_t, _ body: (ThreadTokenCache) -> R) -> R {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<ThreadTokenCache>.fromOpaque(pointer)._withUnsafeGuaranteedRef(body)
        }
        let cache = ThreadTokenCache()
        pthread_setspecific(key, Unmanaged.passRetained(cache).toOpaque())
        return body(cache)
    }

    /// The token in `slot` if it is of `generation` and `now` is before its mandatory window.
    @inline(__always)
    func token(slot: Int, generation: UInt64, now: Int64) -> AccessToken? {
        guard slot < self.count else { return nil }
        let entry = self.entries + slot
        guard entry.pointee.generation == generation, now < entry.pointee.mandatoryAt else { return nil }
        return entry.pointee.token
    }

    /// Slot numbers, unique per session in the process, index `entries`.
    private static let nextSlot = Atomic<Int>(0)

    static func allocateSlot() -> Int {
        self.nextSlot.add(1, ordering: .relaxed).oldValue
    }

    func store(_ entry: Entry, slot: Int) {
        if slot >= self.count {
            let grown = UnsafeMutablePointer<Entry>.allocate(capacity: slot + 1)
            grown.moveInitialize(from: self.entries, count: self.count)
            (grown + self.count).initialize(repeating: Entry(), count: slot + 1 - self.count)
            self.entries.deallocate()
            self.entries = grown
            self.count = slot + 1
        }
        self.entries[slot] = entry
    }
}
