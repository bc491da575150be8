import Foundation
import Primitives
import Synchronization

/// A ``CoordinationStore`` in memory with the Redis store's semantics: leases that expire on an
/// injected clock, a fence counter incremented on every grant, compare-and-set on generation and fence,
/// compare-and-delete release, and notifications.
///
/// For tests (several managers in one process sharing it, as processes share Redis) and for a single
/// process that wants the protocol without a server. ``isAvailable`` simulates an outage: every
/// operation throws while it is false. ``expireLock(_:)`` ends a lease as if its holder had paused.
public final class InMemoryCoordinationStore: CoordinationStore {
    private struct Entry {
        var owner: LockOwner?
        var leaseEnd: Int64 = 0
        var fence: UInt64 = 0
        var state: SealedState?
        var subscribers: [UInt64: AsyncStream<UInt64>.Continuation] = [:]
    }

    private let clock: WallClock
    private let entries = Mutex<[CoordinationKeys: Entry]>([:])
    private let available = Atomic<Bool>(true)
    private let nextSubscriber = Atomic<UInt64>(0)
    private let counts = Mutex<(acquired: Int, written: Int, refused: Int)>((0, 0, 0))

    /// - Parameter clock: Whose time leases expire by.
    public init(clock: WallClock = .system) {
        self.clock = clock
    }

    /// While false, every operation throws ``CoordinationStoreError/unavailable(_:)``.
    public var isAvailable: Bool {
        get { self.available.load(ordering: .acquiring) }
        set { self.available.store(newValue, ordering: .releasing) }
    }

    /// Lock grants so far.
    public var grants: Int { self.counts.withLock { $0.acquired } }
    /// Successful compare-and-set writes so far.
    public var writes: Int { self.counts.withLock { $0.written } }
    /// Compare-and-set writes refused (wrong generation or an old fence).
    public var refusedWrites: Int { self.counts.withLock { $0.refused } }

    /// Ends the current lease now, as if the holder had stopped renewing long ago.
    public func expireLock(_ keys: CoordinationKeys) {
        self.entries.withLock { $0[keys]?.leaseEnd = .min }
    }

    /// Stores raw bytes as the state, bypassing every check (a corrupt or foreign state).
    public func overwriteState(_ keys: CoordinationKeys, with state: SealedState?) {
        self.entries.withLock { $0[keys, default: Entry()].state = state }
    }

    /// How many notification streams are open for `keys` (processes waiting for a holder).
    public func subscriberCount(_ keys: CoordinationKeys) -> Int {
        self.entries.withLock { $0[keys]?.subscribers.count ?? 0 }
    }

    /// The stored state, without a check of availability.
    public func peek(_ keys: CoordinationKeys) -> SealedState? {
        self.entries.withLock { $0[keys]?.state }
    }

    private func check() throws(CoordinationStoreError) {
        guard self.isAvailable else { throw .unavailable("the in-memory store is switched off") }
    }

    /// The live holder: the owner while its lease runs.
    private func liveOwner(_ entry: Entry, now: Int64) -> LockOwner? {
        guard let owner = entry.owner, now < entry.leaseEnd else { return nil }
        return owner
    }

    public func acquire(_ keys: CoordinationKeys, owner: LockOwner, lease: Duration) async throws -> Fence? {
        try self.check()
        let now = self.clock.now()
        let fence = self.entries.withLock { entries -> Fence? in
            var entry = entries[keys, default: Entry()]
            guard self.liveOwner(entry, now: now) == nil else { return nil }
            entry.owner = owner
            entry.leaseEnd = now + lease.nanoseconds
            entry.fence += 1
            entries[keys] = entry
            return Fence(entry.fence)
        }
        if fence != nil { self.counts.withLock { $0.acquired += 1 } }
        return fence
    }

    public func renew(_ keys: CoordinationKeys, owner: LockOwner, fence: Fence, lease: Duration) async throws -> Bool {
        try self.check()
        let now = self.clock.now()
        return self.entries.withLock { entries in
            guard var entry = entries[keys], self.liveOwner(entry, now: now) == owner, entry.fence == fence.value
            else { return false }
            entry.leaseEnd = now + lease.nanoseconds
            entries[keys] = entry
            return true
        }
    }

    public func release(_ keys: CoordinationKeys, owner: LockOwner) async throws -> Bool {
        try self.check()
        let now = self.clock.now()
        return self.entries.withLock { entries in
            guard var entry = entries[keys], self.liveOwner(entry, now: now) == owner else { return false }
            entry.owner = nil
            entry.leaseEnd = 0
            entries[keys] = entry
            return true
        }
    }

    public func read(_ keys: CoordinationKeys) async throws -> SealedState? {
        try self.check()
        return self.entries.withLock { $0[keys]?.state }
    }

    public func compareAndSet(
        _ keys: CoordinationKeys,
        expectedGeneration: UInt64,
        fence: Fence,
        state: SealedState
    ) async throws -> Bool {
        try self.check()
        let written = self.entries.withLock { entries in
            var entry = entries[keys, default: Entry()]
            guard (entry.state?.generation ?? 0) == expectedGeneration, entry.fence == fence.value else { return false }
            entry.state = state
            entries[keys] = entry
            return true
        }
        self.counts.withLock { written ? ($0.written += 1) : ($0.refused += 1) }
        return written
    }

    public func publish(_ keys: CoordinationKeys, generation: UInt64) async throws {
        try self.check()
        let subscribers = self.entries.withLock { Array(($0[keys]?.subscribers ?? [:]).values) }
        for subscriber in subscribers { subscriber.yield(generation) }
    }

    public func notifications(_ keys: CoordinationKeys) -> AsyncStream<UInt64> {
        let (stream, continuation) = AsyncStream.makeStream(of: UInt64.self, bufferingPolicy: .bufferingNewest(8))
        let id = self.nextSubscriber.add(1, ordering: .relaxed).newValue
        self.entries.withLock { $0[keys, default: Entry()].subscribers[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            self?.entries.withLock { _ = $0[keys]?.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    public func holder(_ keys: CoordinationKeys) async throws -> LockOwner? {
        try self.check()
        let now = self.clock.now()
        return self.entries.withLock { entries in entries[keys].flatMap { self.liveOwner($0, now: now) } }
    }
}
