import Primitives

/// The mutable state of one provider, guarded by the session's mutex.
struct SessionState: Sendable {
    var token: CachedToken?
    var refreshToken: Secret?
    var inflight: RefreshFlight?
    var breaker: CircuitBreaker
    /// No round starts before this instant (a `Retry-After` that ended a round).
    var notBefore: Int64 = 0
    /// A final error (revoked grant, rejected client): no automatic retries until a manual refresh.
    var finalError: TokenRefreshError?
    var lastError: TokenRefreshError?
    /// When the background refresher retries after a failed round.
    var retryAt: Int64?
    var lastSuccessAt: Int64?
    /// Estimated provider clock minus local clock, in nanoseconds.
    var skew: Int64?
    var rounds = 0
    /// The generation of the fleet state this session last adopted or published (0: none).
    var fleetGeneration: UInt64 = 0
    var failedRounds = 0
    /// A `refresh_token` request whose answer was lost, until a round succeeds (see ``LostAnswer``).
    var lostAnswer: LostAnswer?
    /// A token restored from the store that waits for validation: the next round checks it first.
    var pendingRestore: CachedToken?
}
