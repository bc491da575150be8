import CoreMetrics
import Synchronization

/// The metric names of DESIGN.md. The Telemetry target keeps the same strings with their HELP
/// texts; this target cannot import it, so the names are repeated here and tested to agree.
public enum OAuthMetric {
    public static let refreshAttempts = "oauth_refresh_attempts_total"
    public static let refreshFailures = "oauth_refresh_failures_total"
    public static let refreshDuration = "oauth_refresh_duration_seconds"
    public static let tokenLifetime = "oauth_token_lifetime_seconds"
    public static let tokenExpiresIn = "oauth_token_expires_in_seconds"
    public static let fallbackUsed = "oauth_fallback_auth_used_total"
    public static let breakerState = "oauth_circuit_breaker_state"
    public static let refreshConflicts = "oauth_refresh_conflicts_total"
    public static let expiredDuringTask = "oauth_token_expired_during_task_total"
    public static let rateLimited = "oauth_rate_limited_total"
}

/// One provider's metrics, created once (labelled ones on first use) through swift-metrics.
final class ProviderMetrics: Sendable {
    private let factory: any MetricsFactory
    private let provider: String
    let conflicts: Counter
    let expiredDuringTask: Counter
    let lifetime: Gauge
    let expiresIn: Gauge
    let breakerState: Gauge
    private let attempts = Mutex<[String: Counter]>([:])
    private let failures = Mutex<[String: Counter]>([:])
    private let rateLimited = Mutex<[String: Counter]>([:])
    private let durations = Mutex<[String: Timer]>([:])

    init(provider: String, factory: any MetricsFactory) {
        self.factory = factory
        self.provider = provider
        let labels = [("provider", provider)]
        self.conflicts = Counter(label: OAuthMetric.refreshConflicts, dimensions: labels, factory: factory)
        self.expiredDuringTask = Counter(label: OAuthMetric.expiredDuringTask, dimensions: labels, factory: factory)
        self.lifetime = Gauge(label: OAuthMetric.tokenLifetime, dimensions: labels, factory: factory)
        self.expiresIn = Gauge(label: OAuthMetric.tokenExpiresIn, dimensions: labels, factory: factory)
        self.breakerState = Gauge(label: OAuthMetric.breakerState, dimensions: labels, factory: factory)
        self.breakerState.record(0)
    }

    func attempt(endpoint: String, outcome: String) {
        self.counter(in: self.attempts, key: endpoint + "\u{0}" + outcome, name: OAuthMetric.refreshAttempts) {
            [("provider", self.provider), ("endpoint", endpoint), ("outcome", outcome)]
        }.increment()
    }

    func failure(reason: String) {
        self.counter(in: self.failures, key: reason, name: OAuthMetric.refreshFailures) {
            [("provider", self.provider), ("reason", reason)]
        }.increment()
    }

    func rateLimited(endpoint: String) {
        self.counter(in: self.rateLimited, key: endpoint, name: OAuthMetric.rateLimited) {
            [("provider", self.provider), ("endpoint", endpoint)]
        }.increment()
    }

    func duration(endpoint: String, nanoseconds: Int64) {
        let timer = self.durations.withLock { timers in
            if let timer = timers[endpoint] { return timer }
            let timer = Timer(
                label: OAuthMetric.refreshDuration,
                dimensions: [("provider", self.provider), ("endpoint", endpoint)],
                factory: self.factory
            )
            timers[endpoint] = timer
            return timer
        }
        timer.recordNanoseconds(max(0, nanoseconds))
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
