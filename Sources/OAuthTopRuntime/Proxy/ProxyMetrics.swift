import CoreMetrics
import Primitives

/// The metric families of the API proxies (`oauth_proxy_*`), one set per proxy, all labelled `proxy`.
///
/// Label values are bounded: the status class (`2xx` ... `5xx`), the replay outcomes and the wait actions
/// are fixed words. The quota families (`oauth_proxy_quota_used_ratio`, `..._cache_hits_total`,
/// `..._shed_total`) are named here and made by the quota components.
public final class ProxyMetrics: Sendable {
    /// Counter `{proxy, class}`: responses returned to clients, by status class (local answers included).
    public static let requests = "oauth_proxy_requests_total"
    /// Histogram (seconds) `{proxy}`: request sent until the upstream's response head.
    public static let upstreamDuration = "oauth_proxy_upstream_duration_seconds"
    /// Counter `{proxy, outcome}`: auth errors and what the replay did.
    public static let authReplays = "oauth_proxy_auth_replays_total"
    /// Counter `{proxy}`: upstream 429/503 responses with `Retry-After`.
    public static let rateLimited = "oauth_proxy_rate_limited_total"
    /// Counter `{proxy, action}`: requests that met a block (`waited`, `rejected`).
    public static let rateLimitWaits = "oauth_proxy_rate_limit_waits_total"
    /// Counter `{proxy}`: bodies rewritten by `on_rate_limit`.
    public static let rewrites = "oauth_proxy_rewrites_total"
    /// Gauge `{proxy, limit}`: quota used, 0...1 (quota components).
    public static let quotaUsed = "oauth_proxy_quota_used_ratio"
    /// Counter `{proxy}`: answers from the response cache (quota components).
    public static let cacheHits = "oauth_proxy_cache_hits_total"
    /// Counter `{proxy}`: requests refused near the quota (quota components).
    public static let shed = "oauth_proxy_shed_total"

    /// Replay outcomes, the `outcome` label.
    public enum ReplayOutcome: String, Sendable, CaseIterable {
        /// The replay was not an auth error.
        case replayed
        /// The replay got an auth error too; passed through.
        case failedAgain = "failed_again"
        /// The body was too large or streamed, so the auth error went back.
        case notReplayable = "not_replayable"
        /// No new token could be had.
        case refreshFailed = "refresh_failed"
    }

    /// The help texts, registered with the other families' (`describeOAuthMetrics()`).
    public static let descriptions: [MetricDescription] = [
        MetricDescription(
            name: requests, help: "Responses the API proxy returned to clients, per proxy and status class "
                + "(local answers included).", type: .counter
        ),
        MetricDescription(
            name: upstreamDuration, help: "Time from sending a request to the upstream until its response head, "
                + "in seconds, per proxy.", type: .histogram
        ),
        MetricDescription(
            name: authReplays, help: "Upstream auth errors and what the proxy did: replayed with a new token, "
                + "failed_again, not_replayable, refresh_failed.", type: .counter
        ),
        MetricDescription(
            name: rateLimited, help: "Upstream 429/503 responses with Retry-After (each starts or extends a "
                + "block), per proxy.", type: .counter
        ),
        MetricDescription(
            name: rateLimitWaits, help: "Requests that met a rate-limit block: waited or rejected, per proxy.",
            type: .counter
        ),
        MetricDescription(
            name: rewrites, help: "Request bodies rewritten by on_rate_limit before a retry, per proxy.",
            type: .counter
        ),
        MetricDescription(
            name: quotaUsed, help: "Fraction of the upstream's quota used (0..1), per proxy and limit: the last "
                + "reading of its rate-limit headers.", type: .gauge
        ),
        MetricDescription(
            name: cacheHits, help: "Requests answered from the proxy's response cache near the quota, per proxy.",
            type: .counter
        ),
        MetricDescription(
            name: shed, help: "Requests refused by the proxy near the quota (not critical), per proxy.",
            type: .counter
        ),
    ]

    private let classes: [Counter]
    let upstreamTimer: Timer
    private let replays: [ReplayOutcome: Counter]
    let rateLimitedCounter: Counter
    let waited: Counter
    let rejected: Counter
    let rewriteCounter: Counter

    /// Makes the proxy's counters (at 0, so that a rule's `increase()` sees the first one).
    public init(proxy: String, factory: any MetricsFactory) {
        let label = [("proxy", proxy)]
        self.classes = (1...5).map { Counter(label: Self.requests, dimensions: label + [("class", "\($0)xx")], factory: factory) }
        self.upstreamTimer = Timer(label: Self.upstreamDuration, dimensions: label, factory: factory)
        self.replays = Dictionary(
            uniqueKeysWithValues: ReplayOutcome.allCases.map {
                ($0, Counter(label: Self.authReplays, dimensions: label + [("outcome", $0.rawValue)], factory: factory))
            }
        )
        self.rateLimitedCounter = Counter(label: Self.rateLimited, dimensions: label, factory: factory)
        self.waited = Counter(label: Self.rateLimitWaits, dimensions: label + [("action", "waited")], factory: factory)
        self.rejected = Counter(label: Self.rateLimitWaits, dimensions: label + [("action", "rejected")], factory: factory)
        self.rewriteCounter = Counter(label: Self.rewrites, dimensions: label, factory: factory)
    }

    /// Counts a response returned to a client.
    func response(status: Int) {
        let index = min(max(status / 100, 1), 5) - 1
        self.classes[index].increment()
    }

    func replay(_ outcome: ReplayOutcome) {
        self.replays[outcome]?.increment()
    }
}
