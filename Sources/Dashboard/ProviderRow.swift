import TokenManager

/// What the dashboard shows about one provider, taken from the token manager's ``ProviderSnapshot``.
///
/// A value of its own so fixtures and tests can build one without a running manager.
public struct ProviderRow: Sendable, Hashable {
    public var name: String
    public var phase: TokenPhase
    /// When the current token expires (Unix nanoseconds).
    public var expiresAt: Int64?
    /// The current token's issued lifetime in seconds.
    public var lifetimeSeconds: Double?
    public var breaker: BreakerState
    /// When the breaker entered its state (Unix nanoseconds).
    public var breakerSince: Int64
    public var refreshing: Bool
    public var needsIntervention: Bool
    /// The last error's short description (never a secret).
    public var lastError: String?

    /// Creates a row.
    public init(
        name: String,
        phase: TokenPhase = .fresh,
        expiresAt: Int64? = nil,
        lifetimeSeconds: Double? = nil,
        breaker: BreakerState = .closed,
        breakerSince: Int64 = 0,
        refreshing: Bool = false,
        needsIntervention: Bool = false,
        lastError: String? = nil
    ) {
        self.name = name
        self.phase = phase
        self.expiresAt = expiresAt
        self.lifetimeSeconds = lifetimeSeconds
        self.breaker = breaker
        self.breakerSince = breakerSince
        self.refreshing = refreshing
        self.needsIntervention = needsIntervention
        self.lastError = lastError
    }

    /// The row for a provider snapshot.
    public init(_ snapshot: ProviderSnapshot) {
        self.init(
            name: snapshot.name,
            phase: snapshot.phase,
            expiresAt: snapshot.expiresAt,
            lifetimeSeconds: snapshot.lifetimeSeconds,
            breaker: snapshot.breaker,
            breakerSince: snapshot.breakerSince,
            refreshing: snapshot.refreshing,
            needsIntervention: snapshot.needsIntervention,
            lastError: snapshot.lastError
        )
    }
}
