import CoreMetrics
import Primitives
import Synchronization

/// The quota families of the API proxy (names fixed by the design; every one carries `proxy`).
public enum QuotaMetricNames {
    /// Gauge `{proxy, limit}`: the fraction of the upstream's quota used, 0...1, from the last reading of each limit
    /// (0 once the reading expired at its reset).
    public static let quotaUsedRatio = "oauth_proxy_quota_used_ratio"
    /// Counter `{proxy}`: requests answered from the response cache near the quota.
    public static let cacheHits = "oauth_proxy_cache_hits_total"
    /// Counter `{proxy}`: requests refused locally with 429 near the quota.
    public static let shed = "oauth_proxy_shed_total"

    /// The help texts of these families.
    public static let all: [MetricDescription] = [
        MetricDescription(
            name: quotaUsedRatio,
            help: "Fraction of the upstream's quota used (0 to 1), per proxy and limit, from its rate-limit headers.",
            type: .gauge
        ),
        MetricDescription(
            name: cacheHits,
            help: "Requests the proxy answered from its response cache because the quota was nearly used, per proxy.",
            type: .counter
        ),
        MetricDescription(
            name: shed,
            help: "Requests the proxy refused locally with 429 because the quota was nearly used, per proxy.",
            type: .counter
        ),
    ]
}

/// The quota metrics of one proxy: created once, the per-limit gauges on first sight of a limit (at most
/// ``maxLimits`` of them, so an upstream cannot grow the label set without bound).
final class QuotaMetrics: Sendable {
    /// The most limits one proxy keeps a gauge (and a reading) for.
    static let maxLimits = 32

    let cacheHits: Counter
    let shed: Counter
    private let proxy: String
    private let factory: any MetricsFactory
    private let gauges = Mutex<[String: Gauge]>([:])

    init(proxy: String, factory: any MetricsFactory) {
        self.proxy = proxy
        self.factory = factory
        let labels = [("proxy", proxy)]
        self.cacheHits = Counter(label: QuotaMetricNames.cacheHits, dimensions: labels, factory: factory)
        self.shed = Counter(label: QuotaMetricNames.shed, dimensions: labels, factory: factory)
    }

    /// Records `used` for `limit`; `false` (and nothing recorded) when the proxy already has ``maxLimits`` other
    /// limits.
    @discardableResult
    func recordUsed(_ used: Double, limit: String) -> Bool {
        let gauge = self.gauges.withLock { gauges -> Gauge? in
            if let gauge = gauges[limit] { return gauge }
            guard gauges.count < Self.maxLimits else { return nil }
            let gauge = Gauge(
                label: QuotaMetricNames.quotaUsedRatio, dimensions: [("proxy", self.proxy), ("limit", limit)],
                factory: self.factory
            )
            gauges[limit] = gauge
            return gauge
        }
        gauge?.record(used)
        return gauge != nil
    }
}
