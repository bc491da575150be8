import CoreMetrics
import Synchronization

/// One provider's metrics, created once through swift-metrics.
///
/// Counters whose labels are known at start are created then, at 0 (Prometheus's instrumentation
/// guidance): a counter series that first appears above 0 has its first increase unseen by `rate` and
/// `increase`, so a provider's first refresh would not count on the dashboard. These are the attempts
/// per configured endpoint and ``knownOutcomes``, the rate limits and the refresh-duration histogram per
/// endpoint, the conflicts and the tasks that outlived their token (the fallback chain creates its own
/// per method). Outcomes with an open-ended code (`http_404`, an RFC 6749 error code) and the failures by reason appear on first use.
final class ProviderMetrics: Sendable {
    /// The outcomes of `oauth_refresh_attempts_total` whose code is fixed: `success` and the transport
    /// and response classes of ``AttemptFailure`` that do not carry an HTTP status or an OAuth error code.
    static let knownOutcomes = [
        "success", "timeout", "connection_refused", "connection_error", "rate_limited", "bad_response",
    ]

    private let factory: any MetricsFactory
    private let provider: String
    let conflicts: Counter
    let expiredDuringTask: Counter
    let lifetime: Gauge
    let breakerState: Gauge
    let emergencyMode: Gauge
    private let expiresIn: Gauge
    private let expirationTimestamp: Gauge
    private let attempts = Mutex<[String: Counter]>([:])
    private let failures = Mutex<[String: Counter]>([:])
    private let rateLimited = Mutex<[String: Counter]>([:])
    private let durations = Mutex<[String: Timer]>([:])

    /// Creates the provider's metrics, and its counters with known labels at 0.
    ///
    /// - Parameters:
    ///   - provider: The provider's name (the `provider` label).
    ///   - endpoints: The configured token endpoints (the `endpoint` label).
    ///   - factory: Where the metrics are made.
    init(provider: String, endpoints: [String] = [], factory: any MetricsFactory) {
        self.factory = factory
        self.provider = provider
        let labels = [("provider", provider)]
        self.conflicts = Counter(label: OAuthMetricNames.refreshConflicts, dimensions: labels, factory: factory)
        self.expiredDuringTask = Counter(
            label: OAuthMetricNames.tokenExpiredDuringTask, dimensions: labels, factory: factory
        )
        self.lifetime = Gauge(label: OAuthMetricNames.tokenLifetime, dimensions: labels, factory: factory)
        self.expiresIn = Gauge(label: OAuthMetricNames.tokenExpiresIn, dimensions: labels, factory: factory)
        self.expirationTimestamp = Gauge(
            label: OAuthMetricNames.tokenExpirationTimestamp, dimensions: labels, factory: factory
        )
        self.breakerState = Gauge(
            label: OAuthMetricNames.circuitBreakerState, dimensions: labels, factory: factory
        )
        self.breakerState.record(0)
        self.emergencyMode = Gauge(label: OAuthMetricNames.emergencyMode, dimensions: labels, factory: factory)
        for endpoint in endpoints {
            for outcome in Self.knownOutcomes {
                _ = self.attemptCounter(endpoint: endpoint, outcome: outcome)
            }
            _ = self.rateLimitedCounter(endpoint: endpoint)
            // The duration histogram too, so that its buckets are at 0 before the first round and
            // `rate(..._bucket[...])` (the latency panel) sees that round.
            _ = self.durationTimer(endpoint: endpoint)
        }
    }

    /// Sets the two expiry gauges, the one place they are written.
    ///
    /// - Parameters:
    ///   - expiresAt: The current token's expiry in Unix nanoseconds, `nil` when there is none.
    ///   - now: Wall time in Unix nanoseconds.
    func recordExpiry(expiresAt: Int64?, now: Int64) {
        guard let expiresAt else {
            self.expiresIn.record(0)
            return
        }
        // Negative once expired: a token still held past its expiry (refreshes failing) shows how
        // long ago it expired, and agrees with `oauth_token_expiration_timestamp_seconds - time()`.
        self.expiresIn.record(Double(expiresAt - now) / 1e9)
        self.expirationTimestamp.record(Double(expiresAt) / 1e9)
    }

    func attempt(endpoint: String, outcome: String) {
        self.attemptCounter(endpoint: endpoint, outcome: outcome).increment()
    }

    func failure(reason: String) {
        self.counter(in: self.failures, key: reason, name: OAuthMetricNames.refreshFailures) {
            [("provider", self.provider), ("reason", reason)]
        }.increment()
    }

    /// A token refused by validation: `oauth_refresh_failures_total{reason="invalid_token", check=...}`.
    ///
    /// The `check` label exists on these series only; Prometheus allows series of one family to differ in
    /// label names, and `sum by (reason)` and the panels' queries add them up with the other reasons.
    func invalidToken(check: String) {
        self.counter(in: self.failures, key: TokenRejection.reason + "\u{0}" + check, name: OAuthMetricNames.refreshFailures) {
            [("provider", self.provider), ("reason", TokenRejection.reason), ("check", check)]
        }.increment()
    }

    func rateLimited(endpoint: String) {
        self.rateLimitedCounter(endpoint: endpoint).increment()
    }

    func duration(endpoint: String, nanoseconds: Int64) {
        self.durationTimer(endpoint: endpoint).recordNanoseconds(max(0, nanoseconds))
    }

    private func durationTimer(endpoint: String) -> Timer {
        self.durations.withLock { timers in
            if let timer = timers[endpoint] { return timer }
            let timer = Timer(
                label: OAuthMetricNames.refreshDuration,
                dimensions: [("provider", self.provider), ("endpoint", endpoint)],
                factory: self.factory
            )
            timers[endpoint] = timer
            return timer
        }
    }

    private func attemptCounter(endpoint: String, outcome: String) -> Counter {
        self.counter(in: self.attempts, key: endpoint + "\u{0}" + outcome, name: OAuthMetricNames.refreshAttempts) {
            [("provider", self.provider), ("endpoint", endpoint), ("outcome", outcome)]
        }
    }

    private func rateLimitedCounter(endpoint: String) -> Counter {
        self.counter(in: self.rateLimited, key: endpoint, name: OAuthMetricNames.rateLimited) {
            [("provider", self.provider), ("endpoint", endpoint)]
        }
    }

    private func counter(
        in table: borrowing Mutex<[String: Counter]>,
        key: String,
        name: String,
        dimensions: () -> [(String, String)]
    ) -> Counter {
        table.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: name, dimensions: dimensions(), factory: self.factory)
            counters[key] = counter
            return counter
        }
    }
}
