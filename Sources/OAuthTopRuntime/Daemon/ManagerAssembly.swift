import Logging
import Telemetry
import TokenManager

/// The token manager and the Telemetry collector it records into, built one way for every
/// command (`run`, `watch`, `demo`): the collector describes oauthtop's metric families, the
/// manager records into it; the consumers of its tokens (sinks, exec'd tasks, socket clients) are
/// registered beside it and counted into the same collector.
public struct ManagerAssembly: Sendable {
    public let manager: OAuthTokenManager
    public let collector: TelemetryCollector
    /// Who holds this manager's tokens outside it.
    public let consumers: ConsumerRegistry
    /// `oauth_token_requests_total`, in ``collector``.
    public let tokenRequests: TokenRequestCounter

    /// Builds the collector and the manager.
    ///
    /// - Parameters:
    ///   - providers: The providers to keep tokens for.
    ///   - store: Where tokens persist across restarts; `nil` keeps them in memory (the demo).
    ///   - logger: The manager's logger.
    public init(providers: [ProviderConfiguration], store: FileTokenStore? = nil, logger: Logger) {
        let collector = TelemetryCollector()
        collector.describeOAuthMetrics()
        self.collector = collector
        self.consumers = ConsumerRegistry()
        self.tokenRequests = TokenRequestCounter(factory: collector)
        self.manager = OAuthTokenManager(
            providers: providers, store: store, metricsFactory: collector, logger: logger
        )
    }
}
