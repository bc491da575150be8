import Synchronization

/// One provider's token: the hot path, single-flight refresh and the background refresher.
final class ProviderSession: Sendable {
    let configuration: ProviderConfiguration
    let metrics: ProviderMetrics
    let state: Mutex<SessionState>
    let environment: SessionEnvironment
    let wake = WakeSignal()
    /// This session's index into every thread's ``ThreadTokenCache``.
    let slot = ThreadTokenCache.allocateSlot()
    /// ``ThreadTokenCache/key``, read once.
    let cacheKey = ThreadTokenCache.key
    /// Bumped, under the state lock, whenever `state.token` changes; thread caches compare it.
    let generation = Atomic<UInt64>(0)
    /// Whether no method can give this provider a token; the fallback chain, when there is one, decides.
    let emergency: EmergencyMode
    /// Checks tokens before they are handed out; `nil` when the provider configures no validation.
    let validator: TokenValidator?

    init(configuration: ProviderConfiguration, metrics: ProviderMetrics, environment: SessionEnvironment) {
        self.configuration = configuration
        self.metrics = metrics
        self.environment = environment
        self.emergency = EmergencyMode(
            provider: configuration.name, events: environment.events, gauge: metrics.emergencyMode,
            logger: environment.logger
        )
        self.validator = configuration.validation.map {
            TokenValidator(configuration: configuration, validation: $0, transport: environment.transport)
        }
        self.state = Mutex(
            SessionState(
                refreshToken: configuration.refreshToken,
                breaker: CircuitBreaker(policy: configuration.breaker, now: environment.clock.now())
            )
        )
    }

    var clock: WallClock { self.environment.clock }
    var name: String { self.configuration.name }
}
