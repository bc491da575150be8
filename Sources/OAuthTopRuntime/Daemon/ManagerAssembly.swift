import Logging
import OAuthTopConfig
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
    /// The fleet coordinator and its Redis client, when the configuration has a `coordination:` section.
    public let fleet: FleetCoordination?

    /// Builds the collector and the manager.
    ///
    /// - Parameters:
    ///   - providers: The providers to keep tokens for.
    ///   - store: Where tokens persist across restarts; `nil` keeps them in memory (the demo).
    ///   - coordination: Refresh with a fleet through Redis (`coordination:`); `nil` refreshes alone.
    ///   - logger: The manager's logger.
    /// - Throws: When the coordination section cannot be used (``FleetCoordination/make(_:metricsFactory:logger:)``).
    public init(
        providers: [ProviderConfiguration],
        store: FileTokenStore? = nil,
        coordination: CoordinationSettings? = nil,
        logger: Logger
    ) throws {
        let collector = TelemetryCollector()
        collector.describeOAuthMetrics()
        self.collector = collector
        self.consumers = ConsumerRegistry()
        self.tokenRequests = TokenRequestCounter(factory: collector)
        let fleet = try coordination.map {
            try FleetCoordination.make($0, metricsFactory: collector, logger: logger)
        }
        self.fleet = fleet
        self.manager = OAuthTokenManager(
            providers: providers, store: store, metricsFactory: collector, coordinator: fleet?.coordinator,
            logger: logger
        )
    }
}
