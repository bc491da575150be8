import Logging
import Telemetry
import TokenManager

/// The token manager and the Telemetry collector it records into, built one way for every
/// command (`run`, `watch`, `demo`): the collector describes oauthtop's metric families, the
/// manager records into it.
public struct ManagerAssembly: Sendable {
    public let manager: OAuthTokenManager
    public let collector: TelemetryCollector

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
        self.manager = OAuthTokenManager(
            providers: providers, store: store, metricsFactory: collector, logger: logger
        )
    }
}
