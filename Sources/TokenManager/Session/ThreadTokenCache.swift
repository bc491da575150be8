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
    struct Entry {
        var generation: UInt64
        var mandatoryAt: Int64
        var token: AccessToken
    }

    // Only the owning thread touches it: the dynamic exclusivity check would cost more than the read.
    @exclusivity(unchecked) var entries: [Entry?] = []

    private static let key: pthread_key_t = {
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
    static func withCurrent<R>(_ body: (ThreadTokenCache) -> R) -> R {
        if let pointer = pthread_getspecific(self.key) {
            return Unmanaged<ThreadTokenCache>.fromOpaque(pointer)._withUnsafeGuaranteedRef(body)
        }
        let cache = ThreadTokenCache()
        pthread_setspecific(self.key, Unmanaged.passRetained(cache).toOpaque())
        return body(cache)
    }

    /// Slot numbers, unique per session in the process, index `entries`.
    private static let nextSlot = Atomic<Int>(0)

    static func allocateSlot() -> Int {
        self.nextSlot.add(1, ordering: .relaxed).oldValue
    }

    func store(_ entry: Entry, slot: Int) {
        if slot >= self.entries.count {
            self.entries.append(contentsOf: repeatElement(nil, count: slot + 1 - self.entries.count))
        }
        self.entries[slot] = entry
    }
}

extension String {
    /// A copy with its own storage, so that threads retaining it do not share a reference count.
    var withOwnStorage: String { String(decoding: Array(self.utf8), as: UTF8.self) }
}
