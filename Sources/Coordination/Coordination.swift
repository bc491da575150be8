/// The Coordination target runs the fleet protocol of issue 11: processes on many machines that hold
/// the same credentials refresh once per cycle between them, through a shared store (Redis).
///
/// It owns: ``FleetCoordinator`` (the token manager's ``RefreshCoordinator``: lock with fence and lease
/// renewal, re-read under the lock, compare-and-set write-back, publish, compare-and-delete release,
/// bounded waits for the holder, fallback when the store fails), the ``CoordinationStore`` protocol (the
/// few atomic operations the protocol needs per provider) with its two implementations,
/// ``RedisCoordinationStore`` (one Lua script or command per operation, over `RedisClient`) and an
/// in-memory one that keeps the same semantics on an injected clock, the per-provider ``CoordinationKeys`` (one Redis Cluster hash
/// tag), and the sealed state (``StateSealer``: AES-GCM, the provider and generation bound as
/// authenticated data) with its `oauth_coordination_*` metrics.
///
/// It must not: speak a wire protocol itself (`RedisClient` does), read
/// configuration files, or let a key, a token or a refresh token reach a log line, an event or an error
/// message. Its folders: `Store/`, `State/`, `Coordinator/`.
public enum CoordinationModule {}
