import CoreMetrics
import Synchronization
import TokenManager

/// The `oauth_coordination_*` series of one coordinator, per provider, created on a provider's first
/// round (the refreshes by source both at 0, so `increase` sees the first one).
final class CoordinationMetrics: Sendable {
    final class Provider: Sendable {
        let up: Gauge
        let lockWait: Timer
        let local: Counter
        let fleet: Counter

        init(provider: String, factory: any MetricsFactory) {
            let labels = [(OAuthMetricNames.Label.provider, provider)]
            self.up = Gauge(label: OAuthMetricNames.coordinationUp, dimensions: labels, factory: factory)
            self.lockWait = Timer(label: OAuthMetricNames.coordinationLockWait, dimensions: labels, factory: factory)
            self.local = Counter(
                label: OAuthMetricNames.coordinationRefreshes,
                dimensions: labels + [(OAuthMetricNames.Label.source, "local")], factory: factory
            )
            self.fleet = Counter(
                label: OAuthMetricNames.coordinationRefreshes,
                dimensions: labels + [(OAuthMetricNames.Label.source, "fleet")], factory: factory
            )
        }
    }

    private let factory: any MetricsFactory
    private let providers = Mutex<[String: Provider]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func callAsFunction(_ provider: String) -> Provider {
        self.providers.withLock { providers in
            if let metrics = providers[provider] { return metrics }
            let metrics = Provider(provider: provider, factory: self.factory)
            providers[provider] = metrics
            return metrics
        }
    }
}
