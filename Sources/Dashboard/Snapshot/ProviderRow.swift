/// What the dashboard shows about one provider: the program fills it from the token manager's state.
///
/// A value of its own so fixtures and tests can build one without a running manager.
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
    /// The last error's short description (never a secret).
    public var lastError: String?

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
}
