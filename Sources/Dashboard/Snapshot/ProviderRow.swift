/// What the dashboard shows about one provider: the program fills it from the token manager's state.
///
/// A value of its own so fixtures and tests can build one without a running manager. The fields after
/// ``lastError`` feed the detail view (`Enter`); they decode when absent, so a snapshot from another version of
/// oauthtop still reads.
public struct ProviderRow: Sendable, Hashable, Codable {
    /// Where a token stands in its life: `missing`, `fresh`, `advisory`, `mandatory`, `expired`.
    public struct Phase: Sendable, Hashable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let missing = Phase(rawValue: "missing")
        public static let fresh = Phase(rawValue: "fresh")
        public static let advisory = Phase(rawValue: "advisory")
        public static let mandatory = Phase(rawValue: "mandatory")
        public static let expired = Phase(rawValue: "expired")

        public init(from decoder: any Decoder) throws {
            self.rawValue = try decoder.singleValueContainer().decode(String.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(self.rawValue)
        }

        public var description: String { self.rawValue }
    }

    public var name: String
    public var phase: Phase
    /// When the current token expires (Unix nanoseconds).
    public var expiresAt: Int64?
    /// The current token's issued lifetime in seconds.
    public var lifetimeSeconds: Double?
    public var breaker: BreakerStatus
    /// When the breaker entered its state (Unix nanoseconds).
    public var breakerSince: Int64
    public var refreshing: Bool
    public var needsIntervention: Bool
    /// The last error's description, in full (never a secret).
    public var lastError: String?
    /// The current token's fingerprint (first 8 hex of its SHA-256).
    public var tokenFingerprint: String?
    /// When the current token was obtained (Unix nanoseconds).
    public var issuedAt: Int64?
    /// When the current token enters its advisory window: a refresh is started in the background.
    public var advisoryAt: Int64?
    /// When the current token enters its mandatory window: callers wait for a refresh.
    public var mandatoryAt: Int64?
    /// The endpoint that issued the current token.
    public var endpoint: String?
    /// The configured token endpoints, in order, with their recent outcomes.
    public var endpoints: [EndpointRow]
    /// The breaker's recent transitions, oldest first.
    public var breakerHistory: [BreakerChange]
    /// Failed rounds in a row (the breaker opens at its threshold).
    public var consecutiveFailures: Int
    /// Refresh rounds since start, and how many failed.
    public var rounds: Int
    public var failedRounds: Int
    /// The last successful refresh (Unix nanoseconds).
    public var lastSuccessAt: Int64?
    /// The provider's clock minus ours, in seconds, as estimated from its responses.
    public var skewSeconds: Double?
    /// The fallback chain's methods, in order (`app_token`, `emergency_key`...); empty when none.
    public var fallbackChain: [String]
    /// The fallback method serving the provider while OAuth cannot; `nil` on OAuth.
    public var fallbackInUse: String?
    /// Who holds the provider's fleet lock, when the daemon coordinates through Redis and someone does.
    public var fleetLock: FleetLock?
    /// Set while no method can give the provider a token (emergency mode).
    public var emergency: EmergencyRow?

    /// Creates a row.
    public init(
        name: String,
        phase: Phase = .fresh,
        expiresAt: Int64? = nil,
        lifetimeSeconds: Double? = nil,
        breaker: BreakerStatus = .closed,
        breakerSince: Int64 = 0,
        refreshing: Bool = false,
        needsIntervention: Bool = false,
        lastError: String? = nil,
        tokenFingerprint: String? = nil,
        issuedAt: Int64? = nil,
        advisoryAt: Int64? = nil,
        mandatoryAt: Int64? = nil,
        endpoint: String? = nil,
        endpoints: [EndpointRow] = [],
        breakerHistory: [BreakerChange] = [],
        consecutiveFailures: Int = 0,
        rounds: Int = 0,
        failedRounds: Int = 0,
        lastSuccessAt: Int64? = nil,
        skewSeconds: Double? = nil,
        fallbackChain: [String] = [],
        fallbackInUse: String? = nil,
        fleetLock: FleetLock? = nil,
        emergency: EmergencyRow? = nil
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
        self.tokenFingerprint = tokenFingerprint
        self.issuedAt = issuedAt
        self.advisoryAt = advisoryAt
        self.mandatoryAt = mandatoryAt
        self.endpoint = endpoint
        self.endpoints = endpoints
        self.breakerHistory = breakerHistory
        self.consecutiveFailures = consecutiveFailures
        self.rounds = rounds
        self.failedRounds = failedRounds
        self.lastSuccessAt = lastSuccessAt
        self.skewSeconds = skewSeconds
        self.fallbackChain = fallbackChain
        self.fallbackInUse = fallbackInUse
        self.fleetLock = fleetLock
        self.emergency = emergency
    }

    enum CodingKeys: String, CodingKey {
        case name, phase, expiresAt, lifetimeSeconds, breaker, breakerSince, refreshing, needsIntervention, lastError
        case tokenFingerprint, issuedAt, advisoryAt, mandatoryAt, endpoint, endpoints, breakerHistory
        case consecutiveFailures, rounds, failedRounds, lastSuccessAt, skewSeconds, fallbackChain, fallbackInUse
        case fleetLock, emergency
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try container.decode(String.self, forKey: .name)
        self.phase = try container.decode(Phase.self, forKey: .phase)
        self.expiresAt = try container.decodeIfPresent(Int64.self, forKey: .expiresAt)
        self.lifetimeSeconds = try container.decodeIfPresent(Double.self, forKey: .lifetimeSeconds)
        self.breaker = try container.decode(BreakerStatus.self, forKey: .breaker)
        self.breakerSince = try container.decode(Int64.self, forKey: .breakerSince)
        self.refreshing = try container.decode(Bool.self, forKey: .refreshing)
        self.needsIntervention = try container.decode(Bool.self, forKey: .needsIntervention)
        self.lastError = try container.decodeIfPresent(String.self, forKey: .lastError)
        self.tokenFingerprint = try container.decodeIfPresent(String.self, forKey: .tokenFingerprint)
        self.issuedAt = try container.decodeIfPresent(Int64.self, forKey: .issuedAt)
        self.advisoryAt = try container.decodeIfPresent(Int64.self, forKey: .advisoryAt)
        self.mandatoryAt = try container.decodeIfPresent(Int64.self, forKey: .mandatoryAt)
        self.endpoint = try container.decodeIfPresent(String.self, forKey: .endpoint)
        self.endpoints = try container.decodeIfPresent([EndpointRow].self, forKey: .endpoints) ?? []
        self.breakerHistory = try container.decodeIfPresent([BreakerChange].self, forKey: .breakerHistory) ?? []
        self.consecutiveFailures = try container.decodeIfPresent(Int.self, forKey: .consecutiveFailures) ?? 0
        self.rounds = try container.decodeIfPresent(Int.self, forKey: .rounds) ?? 0
        self.failedRounds = try container.decodeIfPresent(Int.self, forKey: .failedRounds) ?? 0
        self.lastSuccessAt = try container.decodeIfPresent(Int64.self, forKey: .lastSuccessAt)
        self.skewSeconds = try container.decodeIfPresent(Double.self, forKey: .skewSeconds)
        self.fallbackChain = try container.decodeIfPresent([String].self, forKey: .fallbackChain) ?? []
        self.fallbackInUse = try container.decodeIfPresent(String.self, forKey: .fallbackInUse)
        self.fleetLock = try container.decodeIfPresent(FleetLock.self, forKey: .fleetLock)
        self.emergency = try container.decodeIfPresent(EmergencyRow.self, forKey: .emergency)
    }
}

extension ProviderRow {
    /// How long the breaker has been in its state, as the dashboard writes durations; `nil` when that is not
    /// known (``breakerSince`` 0: a fleet view from Prometheus, which keeps only the state).
    public func breakerDuration(now: Int64) -> String? {
        guard self.breakerSince > 0 else { return nil }
        return ValueFormat.duration(Double(now - self.breakerSince) / 1e9)
    }
}
