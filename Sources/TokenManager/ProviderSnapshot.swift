/// Where a token stands in its life.
public struct TokenPhase: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public static let missing = TokenPhase(rawValue: "missing")
    public static let fresh = TokenPhase(rawValue: "fresh")
    public static let advisory = TokenPhase(rawValue: "advisory")
    public static let mandatory = TokenPhase(rawValue: "mandatory")
    public static let expired = TokenPhase(rawValue: "expired")
    public var description: String { self.rawValue }
}

/// A point-in-time view of one provider, free of secrets.
public struct ProviderSnapshot: Sendable {
    public var name: String
    public var phase: TokenPhase
    /// Fingerprint of the current access token.
    public var tokenFingerprint: String?
    /// When the current token was obtained.
    public var issuedAt: Int64?
    public var expiresAt: Int64?
    public var advisoryAt: Int64?
    public var mandatoryAt: Int64?
    public var lifetimeSeconds: Double?
    /// The endpoint that issued the current token.
    public var endpoint: String?
    /// The configured token endpoints, in the order they are tried.
    public var endpoints: [String]
    public var breaker: BreakerState
    public var breakerSince: Int64
    public var consecutiveFailures: Int
    public var refreshing: Bool
    public var lastError: String?
    /// True after a final error (revoked grant, rejected client) until a manual refresh.
    public var needsIntervention: Bool
    public var lastSuccessAt: Int64?
    /// Estimated provider clock minus local clock, in seconds.
    public var skewSeconds: Double?
    public var rounds: Int
    public var failedRounds: Int
    /// The fallback method serving the provider while OAuth cannot (see ``FallbackCredential``);
    /// `nil` on OAuth.
    public var fallbackInUse: FallbackCredential.Method?
    /// The fallback chain's methods, in order; empty without a chain.
    public var fallbackChain: [FallbackCredential.Method]
    /// The process holding the provider's fleet lock, as last seen; `nil` without coordination or
    /// when nobody holds it.
    public var lockHolder: LockHolder?
    /// Set while no method can give the provider a token (emergency mode): since when, and what was tried.
    public var emergency: EmergencyStatus?

    init(session: ProviderSession, now: Int64) {
        let state = session.state.withLock { $0 }
        self.name = session.configuration.name
        if let token = state.token {
            if now >= token.windows.expiresAt {
                self.phase = .expired
            } else if now >= token.windows.mandatoryAt {
                self.phase = .mandatory
            } else if now >= token.windows.advisoryAt {
                self.phase = .advisory
            } else {
                self.phase = .fresh
            }
        } else {
            self.phase = .missing
        }
        self.tokenFingerprint = state.token?.access.value.fingerprint
        self.issuedAt = state.token?.obtainedAt
        self.expiresAt = state.token?.windows.expiresAt
        self.advisoryAt = state.token?.windows.advisoryAt
        self.mandatoryAt = state.token?.windows.mandatoryAt
        self.lifetimeSeconds = state.token?.lifetime.seconds
        self.endpoint = state.token?.endpoint
        self.endpoints = session.configuration.tokenEndpoints
        self.breaker = state.breaker.state
        self.breakerSince = state.breaker.since
        self.consecutiveFailures = state.breaker.consecutiveFailures
        self.refreshing = state.inflight != nil
        self.lastError = state.lastError?.description
        self.needsIntervention = state.finalError != nil
        self.lastSuccessAt = state.lastSuccessAt
        self.skewSeconds = state.skew.map { Double($0) / 1e9 }
        self.rounds = state.rounds
        self.failedRounds = state.failedRounds
        self.fallbackInUse = nil
        self.fallbackChain = []
        self.lockHolder = session.environment.coordinator?.lockHolder(provider: session.configuration.name)
        self.emergency = session.emergency.status
    }
}
