import Primitives

/// The `oauth_*` metric families of DESIGN.md, with their label names and help texts: the one list.
///
/// It lives in the layer that emits the families (``ProviderMetrics`` and the fallback chain record
/// under these names through swift-metrics); the runtime hands the descriptions to the Telemetry
/// collector, which knows no oauth names. Counters already end in `_total`, so the collector
/// exports them unchanged.
public enum OAuthMetricNames {
    /// Counter `{provider, endpoint, outcome}`: every call to a token endpoint.
    public static let refreshAttempts = "oauth_refresh_attempts_total"
    /// Counter `{provider, reason}`: refreshes that failed after retries, by short error code.
    public static let refreshFailures = "oauth_refresh_failures_total"
    /// Histogram (timer, seconds) `{provider, endpoint}`: duration of one token-endpoint call.
    public static let refreshDuration = "oauth_refresh_duration_seconds"
    /// Gauge `{provider}`: the issued lifetime of the current token.
    public static let tokenLifetime = "oauth_token_lifetime_seconds"
    /// Gauge `{provider}`: seconds until the current token expires, negative once it has expired
    /// (0 while the provider has no token).
    public static let tokenExpiresIn = "oauth_token_expires_in_seconds"
    /// Gauge `{provider}`: when the current token expires, in Unix seconds (not set before the
    /// first token), the convention of cert-manager and x509-certificate-exporter, so a
    /// rule computes `oauth_token_expiration_timestamp_seconds - time()`.
    public static let tokenExpirationTimestamp = "oauth_token_expiration_timestamp_seconds"
    /// Counter `{method}`: uses of a fallback credential.
    public static let fallbackAuthUsed = "oauth_fallback_auth_used_total"
    /// Gauge `{provider}`: circuit breaker state, 0 closed, 1 half-open, 2 open.
    public static let circuitBreakerState = "oauth_circuit_breaker_state"
    /// 1 while no method can give the provider a token (emergency mode), else 0.
    public static let emergencyMode = "oauth_emergency_mode"
    /// Counter `{provider}`: refreshes that lost a race to another refresher: a caller that joined a
    /// round in flight in this process, or, in a fleet, a round that found the lock held (deferred, or
    /// waited and adopted the holder's token) or whose write-back was refused after its lease ran out.
    public static let refreshConflicts = "oauth_refresh_conflicts_total"
    /// Counter `{provider}`: tokens that expired while a task was still using them.
    public static let tokenExpiredDuringTask = "oauth_token_expired_during_task_total"
    /// Counter `{provider, endpoint}`: responses 429 (or 503 with `Retry-After`) from a token endpoint.
    public static let rateLimited = "oauth_rate_limited_total"

    /// Gauge `{provider}`: 1 while the fleet's shared state can be used, 0 while the provider refreshes
    /// in process because it cannot (store unreachable, state sealed with another key).
    public static let coordinationUp = "oauth_coordination_up"
    /// Histogram (timer, seconds) `{provider}`: how long a process waited for the fleet lock or for its
    /// holder's result.
    public static let coordinationLockWait = "oauth_coordination_lock_wait_seconds"
    /// Counter `{provider, source}`: new tokens by where they came from, `local` (this process refreshed
    /// under the fleet lock and published) or `fleet` (taken from another process's refresh).
    public static let coordinationRefreshes = "oauth_coordination_refreshes_total"

    /// Label names used by the families above.
    public enum Label {
        /// The configured provider name.
        public static let provider = "provider"
        /// The token endpoint's configured name.
        public static let endpoint = "endpoint"
        /// `success` or a short error class.
        public static let outcome = "outcome"
        /// A short error code.
        public static let reason = "reason"
        /// The fallback method.
        public static let method = "method"
        /// Where a token came from: `local` or `fleet`.
        public static let source = "source"
    }

    /// The circuit breaker state values of ``circuitBreakerState``.
    public enum CircuitBreakerStateValue {
        /// Requests flow.
        public static let closed: Double = 0
        /// One probe request is allowed.
        public static let halfOpen: Double = 1
        /// Requests are refused.
        public static let open: Double = 2
    }

    /// The `oauth_coordination_*` families, recorded only by a process that is part of a fleet.
    public static let coordination: [MetricDescription] = [
        MetricDescription(
            name: coordinationUp,
            help: "1 while the fleet's shared token state can be used, 0 while refreshing in process only.",
            type: .gauge
        ),
        MetricDescription(
            name: coordinationLockWait,
            help: "Seconds a process waited for the fleet lock or for its holder's result, per provider.",
            type: .histogram
        ),
        MetricDescription(
            name: coordinationRefreshes,
            help: "New tokens per provider and source: local (refreshed and published) or fleet (adopted).",
            type: .counter
        ),
    ]

    /// Every family with its help text and type, in the order of DESIGN.md.
    public static let all: [MetricDescription] = [
        MetricDescription(
            name: refreshAttempts,
            help: "Token refresh attempts per provider, endpoint and outcome.",
            type: .counter
        ),
        MetricDescription(
            name: refreshFailures,
            help: "Token refreshes that failed after all retries, per provider and reason.",
            type: .counter
        ),
        MetricDescription(
            name: refreshDuration,
            help: "Duration of token endpoint calls in seconds, per provider and endpoint.",
            type: .histogram
        ),
        MetricDescription(
            name: tokenLifetime,
            help: "Issued lifetime of the current access token in seconds.",
            type: .gauge
        ),
        MetricDescription(
            name: tokenExpiresIn,
            help: "Seconds until the current access token expires; negative once it has expired, so an expired"
                + " token stays visible and agrees with oauth_token_expiration_timestamp_seconds - time().",
            type: .gauge
        ),
        MetricDescription(
            name: tokenExpirationTimestamp,
            help: "When the current access token expires, in Unix seconds.",
            type: .gauge
        ),
        MetricDescription(
            name: fallbackAuthUsed,
            help: "Fallback credentials handed out instead of an OAuth token, per provider and method.",
            type: .counter
        ),
        MetricDescription(
            name: circuitBreakerState,
            help: "Circuit breaker state per provider: 0 closed, 1 half-open, 2 open.",
            type: .gauge
        ),
        MetricDescription(
            name: emergencyMode,
            help: "1 while no method can give the provider a token (OAuth and every fallback entry failed), else 0.",
            type: .gauge
        ),
        MetricDescription(
            name: refreshConflicts,
            help: "Refreshes that lost a race to a concurrent refresher, per provider.",
            type: .counter
        ),
        MetricDescription(
            name: tokenExpiredDuringTask,
            help: "Access tokens that expired while a task was using them, per provider.",
            type: .counter
        ),
        MetricDescription(
            name: rateLimited,
            help: "Rate-limited responses from token endpoints, per provider and endpoint.",
            type: .counter
        ),
    ]
}
