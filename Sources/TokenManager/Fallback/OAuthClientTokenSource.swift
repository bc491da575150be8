import CoreMetrics
import Primitives
import Synchronization

/// Obtains tokens of a ``FallbackOAuthClient`` through the provider's own refresh round.
final class OAuthClientTokenSource: Sendable {
    let client: FallbackOAuthClient
    private let configuration: ProviderConfiguration
    private let environment: FallbackEnvironment
    /// The refresh token to send (`refresh_token` grant), rotated in memory.
    private let refreshToken: Mutex<Secret?>
    /// The round records nothing: `oauth_refresh_*` describe the provider's own client, and this
    /// client's uses count in `oauth_fallback_auth_used_total{method="oauth_client"}`. Its events
    /// (attempt failures, retries) still go to the bus under the provider's name.
    private let metrics: ProviderMetrics

    init(client: FallbackOAuthClient, environment: FallbackEnvironment) {
        self.client = client
        self.configuration = client.configuration(of: environment.provider)
        self.environment = environment
        self.refreshToken = Mutex(client.refreshToken)
        self.metrics = ProviderMetrics(provider: environment.provider.name, factory: NOOPMetricsHandler.instance)
    }

    /// One refresh round with this client's credentials.
    func fetch() async -> Result<FetchedToken, AttemptFailure> {
        let round = RefreshRound(
            configuration: self.configuration,
            refreshToken: self.refreshToken.withLock { $0 },
            transport: self.environment.transport,
            clock: self.environment.clock,
            random: self.environment.random,
            metrics: self.metrics,
            events: self.environment.events,
            logger: self.environment.logger
        )
        let success: RoundSuccess
        do {
            success = try await round.run()
        } catch {
            var failure =
                error.endpoints.last?.last
                ?? AttemptFailure(kind: .connection, code: error.reason, detail: error.description)
            failure.detail = "\(error.description)"
            if let notBefore = error.notBefore {
                failure.retryAfter = .nanoseconds(max(0, notBefore - self.environment.clock.now()))
            }
            return .failure(failure)
        }
        if let rotated = success.response.refreshToken { self.refreshToken.withLock { $0 = rotated } }
        let expiresAt = success.expiresAt
        let windows = self.configuration.refresh.windows(
            obtainedAt: success.receivedAt, expiresAt: expiresAt, random: self.environment.random.unit()
        )
        let token = AccessToken(
            value: success.response.accessToken, tokenType: success.response.tokenType, expiresAt: expiresAt,
            fallback: .oauthClient
        )
        return .success(FetchedToken(token: token, refreshAt: windows.mandatoryAt))
    }
}
