import CoreMetrics
import Synchronization

/// The quota metrics of one proxy (names and help texts in ``ProxyMetrics``): created once, the per-limit gauges
/// on first sight of a limit (at most ``maxLimits`` of them, so an upstream cannot grow the label set without
/// bound).
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
        self.cacheHits = Counter(label: ProxyMetrics.cacheHits, dimensions: labels, factory: factory)
        self.shed = Counter(label: ProxyMetrics.shed, dimensions: labels, factory: factory)
    }

    /// Records `used` for `limit`; `false` (and nothing recorded) when the proxy already has ``maxLimits`` other
    /// limits.
    @discardableResult
    func recordUsed(_ used: Double, limit: String) -> Bool {
        let gauge = self.gauges.withLock { gauges -> Gauge? in
            if let gauge = gauges[limit] { return gauge }
            guard gauges.count < Self.maxLimits else { return nil }
            let gauge = Gauge(
                label: ProxyMetrics.quotaUsed, dimensions: [("proxy", self.proxy), ("limit", limit)],
                factory: self.factory
            )
            gauges[limit] = gauge
            return gauge
        }
        gauge?.record(used)
        return gauge != nil
    }
}
