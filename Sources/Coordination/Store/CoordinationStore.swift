/// A lock grant's fence number: the store's fence counter after the grant, strictly increasing per
/// provider, so that a write carrying an older fence is known to come from a lease that was lost.
public struct Fence: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public static func < (lhs: Fence, rhs: Fence) -> Bool { lhs.value < rhs.value }
    public var description: String { String(self.value) }
}

/// The atomic operations the fleet protocol needs from a shared store, per provider (one
/// ``CoordinationKeys`` set).
///
/// Each operation must be atomic on its own in the store (in Redis: one command or one Lua script);
/// the protocol never needs two of them to be atomic together. Every operation may throw when the
/// store cannot be reached or answers nonsense: the coordinator then treats coordination as down
/// for the provider and the session refreshes in process.
///
/// Time: lock leases expire on the store's clock; the protocol's safety does not depend on clocks
/// agreeing, because every write is fenced.
public protocol CoordinationStore: Sendable {
    /// Grants the lock to `owner` for `lease` if nobody holds it (or the holder's lease ran out), and
    /// increments the fence counter in the same step.
    ///
    /// Redis: `SET lock owner NX PX lease` and, if it was set, `INCR fence`, in one script.
    ///
    /// - Returns: The new fence, or `nil` when another owner holds the lock.
    func acquire(_ keys: CoordinationKeys, owner: LockOwner, lease: Duration) async throws -> Fence?

    /// Extends the lease if `owner` still holds the lock and `fence` is still the latest grant
    /// (compare-and-`PEXPIRE`).
    ///
    /// - Returns: Whether the lease was extended; `false` means the lease is lost.
    func renew(_ keys: CoordinationKeys, owner: LockOwner, fence: Fence, lease: Duration) async throws -> Bool

    /// Deletes the lock if `owner` holds it (compare-and-`DEL`), never another owner's.
    ///
    /// - Returns: Whether it was deleted.
    func release(_ keys: CoordinationKeys, owner: LockOwner) async throws -> Bool

    /// The sealed state, or `nil` when none was written yet.
    func read(_ keys: CoordinationKeys) async throws -> SealedState?

    /// Writes `state` only if the stored state's generation equals `expectedGeneration` (0: no state
    /// yet) and `fence` is still the latest grant. The lock need not still be held: a lease that ran
    /// out while nobody else was granted the lock still writes, since nothing newer can exist.
    ///
    /// - Returns: Whether it was written.
    func compareAndSet(
        _ keys: CoordinationKeys,
        expectedGeneration: UInt64,
        fence: Fence,
        state: SealedState
    ) async throws -> Bool

    /// Announces that `generation` was written, to every process waiting on ``notifications(_:)``.
    func publish(_ keys: CoordinationKeys, generation: UInt64) async throws

    /// The generations announced from now on. The subscription is live when this returns (so an
    /// announcement made after it is not missed); the stream may end early (a dropped connection),
    /// and waiters poll as well, so a lost notification only delays them.
    func notifications(_ keys: CoordinationKeys) -> AsyncStream<UInt64>

    /// Who holds the lock, if anyone (an unreadable value counts as nobody known).
    func holder(_ keys: CoordinationKeys) async throws -> LockOwner?

    /// Where a round's several store calls run best (the Redis client's event loop: no thread hop per
    /// call); `nil`: wherever the caller runs.
    var preferredExecutor: (any TaskExecutor)? { get }
}

extension CoordinationStore {
    public var preferredExecutor: (any TaskExecutor)? { nil }
}
