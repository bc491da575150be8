import Primitives

/// What a session tells the fleet coordinator before a refresh round would call the identity provider.
public struct CoordinationRequest: Sendable {
    /// How urgently the session needs a new token; decides between skipping and waiting when another
    /// process holds the lock.
    public struct Urgency: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// The advisory window: callers keep the current token, so a held lock means "skip this tick".
        public static let advisory = Urgency("advisory")
        /// The mandatory window, no token at all, or an operator's refresh: wait for the holder's
        /// result (bounded), then adopt it.
        public static let mandatory = Urgency("mandatory")

        public var description: String { self.rawValue }
    }

    /// The provider's configured name.
    public var provider: String
    /// Why the round started.
    public var reason: RefreshReason
    public var urgency: Urgency
    /// The generation of the fleet state this session last adopted or published; 0 for none.
    public var knownGeneration: UInt64
    /// Whether the session holds no token at all (start, or a rejected token).
    public var hasNoToken: Bool
    /// Whether a fleet token is worth installing now: the session's check that it is outside its
    /// mandatory window, so that adopting it does not start another round at once.
    public var accepts: @Sendable (FleetToken) -> Bool

    public init(
        provider: String,
        reason: RefreshReason,
        urgency: Urgency,
        knownGeneration: UInt64,
        hasNoToken: Bool,
        accepts: @escaping @Sendable (FleetToken) -> Bool
    ) {
        self.provider = provider
        self.reason = reason
        self.urgency = urgency
        self.knownGeneration = knownGeneration
        self.hasNoToken = hasNoToken
        self.accepts = accepts
    }
}

/// The fleet lock as the refreshing session sees it: what it refreshes with and what it will write.
public struct CoordinationLease: Sendable, Hashable {
    /// The fence number of this grant; the write-back is refused once a later grant exists.
    public var fence: UInt64
    /// The generation of the shared state read under the lock (0 when there is none): the write-back's
    /// compare-and-set requires it.
    public var expectedGeneration: UInt64
    /// The generation the write-back stores: one more than both ``expectedGeneration`` and the generation
    /// the session last knew, so that a state lost by the store (Redis restarted without persistence)
    /// does not start the count again below what the rest of the fleet already holds.
    public var nextGeneration: UInt64
    /// The fleet's newest refresh token, to use instead of the session's own; `nil` when the fleet has
    /// none yet (the session uses its own).
    public var refreshToken: Secret?
    /// This process's instance id, recorded as `refreshed_by`.
    public var instanceID: String

    public init(
        fence: UInt64,
        expectedGeneration: UInt64,
        nextGeneration: UInt64? = nil,
        refreshToken: Secret?,
        instanceID: String
    ) {
        self.fence = fence
        self.expectedGeneration = expectedGeneration
        let (next, overflow) = expectedGeneration.addingReportingOverflow(1)
        self.nextGeneration = max(nextGeneration ?? 0, overflow ? expectedGeneration : next)
        self.refreshToken = refreshToken
        self.instanceID = instanceID
    }
}

/// What the session's round under the fleet lock produced, handed back to the coordinator to publish.
public enum LocalRefreshResult: Sendable {
    /// The identity provider issued a token; the coordinator writes it back (generation, fence) and
    /// publishes it before releasing the lock.
    case refreshed(FleetToken)
    /// The round failed; `invalidGrant` asks the coordinator to re-read the shared state, since another
    /// process may have rotated the refresh token.
    case failed(invalidGrant: Bool)
}

/// How a coordinated round ended.
public enum CoordinationOutcome: Sendable {
    /// The session refreshed under the lock and its token stands; `published` is false when the
    /// write-back was refused because the lease was lost to a later grant (a lost race).
    case refreshed(published: Bool)
    /// The session refreshed under the lock and the round failed; its error stands.
    case failed
    /// Install this token from the fleet instead of refreshing (or instead of a failed round's error).
    case adopt(FleetToken, AdoptReason)
    /// Another process holds the lock and the token is still good: keep it, retry at `retryAt`
    /// (Unix nanoseconds).
    case skip(retryAt: Int64)
    /// The fleet cannot be consulted: refresh in process, as without coordination.
    case unavailable
}

/// Why a token was taken from the fleet, for the `token_adopted` event's `reason`.
public struct AdoptReason: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    private init(_ rawValue: String) { self.rawValue = rawValue }

    /// The shared state was already newer than the session's token.
    public static let newer = AdoptReason("fleet_newer")
    /// The session waited for the lock holder's result.
    public static let waited = AdoptReason("waited_for_holder")
    /// The identity provider answered `invalid_grant` and the fleet had rotated the refresh token.
    public static let rotated = AdoptReason("rotated_by_fleet")
    /// The identity provider answered `invalid_grant` and the token store (shared with another manager)
    /// held a newer rotation.
    public static let store = AdoptReason("rotated_in_store")

    public var description: String { self.rawValue }
}
