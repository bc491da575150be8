import Primitives

/// Everything the manager needs to keep one provider's token fresh.
///
/// Built by the configuration layer from `oauthtop.yaml` (secrets already read from their
/// env var or file) or directly by code that embeds the manager.
public struct ProviderConfiguration: Sendable {
    /// The provider's name, used in metrics labels, events and the token store.
    public var name: String
    /// How a token is obtained.
    public var grant: GrantType
    /// Token endpoints in order of preference; the next one is tried when one fails.
    public var tokenEndpoints: [String]
    public var clientID: String
    public var clientSecret: Secret?
    /// The initial refresh token for the `refresh_token` grant. A rotated one in the token
    /// store takes precedence while this value is unchanged.
    public var refreshToken: Secret?
    public var clientAuthentication: ClientAuthentication
    public var scopes: [String]
    /// Expected `token_type` of responses, compared case-insensitively.
    public var expectedTokenType: String
    public var refresh: RefreshPolicy
    public var retry: RetryPolicy
    public var timeouts: TimeoutLadder
    public var breaker: BreakerPolicy
    /// Credentials handed out, in order, when OAuth cannot give a usable token; empty for none.
    public var fallback: [FallbackCredential]
    /// How tokens are checked before they are handed out; `nil` (the default) checks only the token
    /// response itself. See ``TokenValidation``.
    public var validation: TokenValidation?

    public init(
        name: String,
        grant: GrantType,
        tokenEndpoints: [String],
        clientID: String,
        clientSecret: Secret? = nil,
        refreshToken: Secret? = nil,
        clientAuthentication: ClientAuthentication = .basic,
        scopes: [String] = [],
        expectedTokenType: String = "Bearer",
        refresh: RefreshPolicy = .init(),
        retry: RetryPolicy = .init(),
        timeouts: TimeoutLadder = .default,
        breaker: BreakerPolicy = .init(),
        fallback: [FallbackCredential] = [],
        validation: TokenValidation? = nil
    ) {
        self.name = name
        self.grant = grant
        self.tokenEndpoints = tokenEndpoints
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.refreshToken = refreshToken
        self.clientAuthentication = clientAuthentication
        self.scopes = scopes
        self.expectedTokenType = expectedTokenType
        self.refresh = refresh
        self.retry = retry
        self.timeouts = timeouts
        self.breaker = breaker
        self.fallback = fallback
        self.validation = validation
    }
}

/// An OAuth 2.0 grant type (RFC 6749 §4).
public struct GrantType: Sendable, Hashable, CustomStringConvertible {
    /// The `grant_type` parameter value.
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// RFC 6749 §6: exchange a refresh token for a new access token.
    public static let refreshToken = GrantType(rawValue: "refresh_token")
    /// RFC 6749 §4.4: the client authenticates as itself.
    public static let clientCredentials = GrantType(rawValue: "client_credentials")

    public static let all: [GrantType] = [.refreshToken, .clientCredentials]
    public var description: String { self.rawValue }
}

/// How the client authenticates to the token endpoint (RFC 6749 §2.3.1).
public struct ClientAuthentication: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// HTTP Basic with the form-encoded client id and secret (the RFC's preferred way).
    public static let basic = ClientAuthentication(rawValue: "basic")
    /// `client_id` and `client_secret` as form parameters in the request body.
    public static let body = ClientAuthentication(rawValue: "body")

    public static let all: [ClientAuthentication] = [.basic, .body]
    public var description: String { self.rawValue }
}

/// When a token is renewed, as fractions of its issued lifetime.
///
/// A token is *fresh* until the advisory window opens, when a background refresh starts and
/// callers keep getting the current token. When the mandatory window opens, callers wait for
/// a refresh and see its error. Both windows are measured back from expiry, sized from the
/// lifetime, clamped, and opened earlier by a random jitter so a fleet does not refresh in step.
public struct RefreshPolicy: Sendable, Hashable {
    /// Share of the lifetime, before expiry, at which the advisory window opens (0...1).
    public var advisoryFraction: Double
    /// Share of the lifetime, before expiry, at which the mandatory window opens (0...1).
    public var mandatoryFraction: Double
    /// Upper bound of the advisory window, whatever the lifetime.
    public var maxAdvisory: Duration
    /// Upper bound of the mandatory window, whatever the lifetime.
    public var maxMandatory: Duration
    /// Lower bound of the mandatory window, so short tokens still leave time to refresh.
    public var minMandatory: Duration
    /// Largest random share of the lifetime by which the advisory window opens earlier (0...1).
    public var jitterFraction: Double

    public init(
        advisoryFraction: Double = 0.3,
        mandatoryFraction: Double = 0.1,
        maxAdvisory: Duration = .seconds(15 * 60),
        maxMandatory: Duration = .seconds(10 * 60),
        minMandatory: Duration = .seconds(2),
        jitterFraction: Double = 0.05
    ) {
        self.advisoryFraction = advisoryFraction
        self.mandatoryFraction = mandatoryFraction
        self.maxAdvisory = maxAdvisory
        self.maxMandatory = maxMandatory
        self.minMandatory = minMandatory
        self.jitterFraction = jitterFraction
    }
}

/// Retries within one refresh round, per endpoint: exponential backoff with full jitter.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts per endpoint in one round (1 means no retry).
    public var maxAttempts: Int
    /// Backoff before retry n is a random duration in `0 ..< min(maxDelay, baseDelay * 2^n)`.
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// The longest `Retry-After` the manager waits for inside a round. A longer one ends the
    /// round; the next round still starts no sooner than `Retry-After` says.
    public var maxRetryAfter: Duration

    public init(
        maxAttempts: Int = 3,
        baseDelay: Duration = .milliseconds(500),
        maxDelay: Duration = .seconds(30),
        maxRetryAfter: Duration = .seconds(120)
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }
}

/// One step of the timeout ladder: how long to wait to connect, and for the whole exchange.
public struct TimeoutStep: Sendable, Hashable {
    public var connect: Duration
    public var total: Duration
    public init(connect: Duration, total: Duration) {
        self.connect = connect
        self.total = total
    }
}

/// Escalating timeouts for successive attempts on one endpoint: a timed-out attempt is
/// retried with the next, more patient step.
public struct TimeoutLadder: Sendable, Hashable {
    public var steps: [TimeoutStep]
    public init(steps: [TimeoutStep]) { self.steps = steps }

    /// quick 5s/2s connect, standard 15s/5s, patient 30s/10s.
    public static let `default` = TimeoutLadder(steps: [
        TimeoutStep(connect: .seconds(2), total: .seconds(5)),
        TimeoutStep(connect: .seconds(5), total: .seconds(15)),
        TimeoutStep(connect: .seconds(10), total: .seconds(30)),
    ])

    /// The step for the given zero-based attempt; the last step repeats.
    public func step(forAttempt attempt: Int) -> TimeoutStep {
        self.steps[min(max(attempt, 0), self.steps.count - 1)]
    }
}

/// Circuit breaker per provider.
public struct BreakerPolicy: Sendable, Hashable {
    /// Consecutive failed refresh rounds that open the breaker.
    public var failureThreshold: Int
    /// How long the breaker stays open before one probe round is let through (half-open).
    public var coolDown: Duration

    public init(failureThreshold: Int = 3, coolDown: Duration = .seconds(30)) {
        self.failureThreshold = failureThreshold
        self.coolDown = coolDown
    }
}
