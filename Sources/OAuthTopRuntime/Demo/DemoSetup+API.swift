import DemoIdentityProvider
import OAuthTopConfig
import TokenManager

/// The demo's API calls: a third identity provider whose listener also serves the protected API
/// (`/api/v1`), the `api` provider that gets its tokens, and the API proxy in front of that API
/// (``DemoAPIWorkload`` calls through it). Apart from the `demo` and `reports` providers, so their fault
/// schedules tell the same story with or without API calls.
extension DemoSetup {
    /// The provider whose token the demo's proxy attaches.
    public static let apiProvider = "api"
    /// The demo's proxy's name (the `proxy` label of its metrics).
    public static let apiProxyName = "demo-api"
    /// Lifetime of the `api` provider's tokens.
    public static let apiTokenLifetime: Duration = .seconds(60)
    /// The API's quota: 60 requests per 30-second window. With the workload's ~3 calls a second it climbs to
    /// 90% about 18 s into each window (the proxy answers reads from its cache), then to 95% (it sheds calls
    /// that are not critical; critical ones pass until the API answers 429, whose `Retry-After` the proxy
    /// waits out), and the next window starts afresh.
    public static let apiQuota = DemoAPIQuota(limit: 60, window: .seconds(30), policy: "requests")

    /// The API's identity provider: one endpoint, 60-second tokens, the API with ``apiQuota``.
    public static func apiIdentityProviderConfiguration(clientSecret: String) -> DemoIdentityProviderConfiguration {
        var configuration = self.identityProviderConfiguration(clientSecret: clientSecret)
        configuration.endpoints = [DemoEndpointSpec(name: "api")]
        configuration.tokenLifetime = self.apiTokenLifetime
        configuration.api.quota = self.apiQuota
        return configuration
    }

    /// The API's faults: at 12 s the token the proxy presents is revoked (the proxy refreshes and replays the
    /// call), at 40 s one call is rate limited for 3 seconds (the proxy holds the calls meanwhile).
    public static func apiSchedule() -> FaultSchedule {
        FaultSchedule(faults: [
            Fault(kind: .revokeToken, start: .seconds(12), count: 1),
            Fault(
                kind: .apiRateLimit(retryAfter: .seconds(3), status: 429, httpDate: false), start: .seconds(40), count: 1
            ),
        ])
    }

    /// The `api` provider: the `demo` provider's refresh settings against the API's identity provider, without
    /// a fallback chain.
    public static func apiProviderConfiguration(endpoints: [String], clientSecret: String, refreshToken: String)
        -> ProviderConfiguration
    {
        var configuration = self.providerConfiguration(
            endpoints: endpoints, clientSecret: clientSecret, refreshToken: refreshToken
        )
        configuration.name = self.apiProvider
        configuration.scopes = ["api.call"]
        configuration.fallback = []
        return configuration
    }

    /// The proxy in front of the API: a loopback TCP listener on a free port, the provider's token attached,
    /// the default auth-error replay and rate-limit waiting, a completion retried after a 429 asks for the
    /// cheaper model (`demo-large` to `demo-small`), quota thresholds (cache from 90%, shed from 95%) and cache.
    ///
    /// - Parameters:
    ///   - upstream: The API's base URL, `http://127.0.0.1:PORT/api/v1`.
    ///   - secretFile: Where the listener's bearer secret is written.
    public static func apiProxySettings(upstream: String, secretFile: String) -> ProxySettings {
        ProxySettings(
            name: self.apiProxyName, listen: .tcp("127.0.0.1:0"), upstream: upstream, provider: self.apiProvider,
            secretFile: secretFile,
            onRateLimit: ProxySettings.BodyRewrite(jsonField: "model", from: "demo-large", to: "demo-small"),
            quota: ProxySettings.Quota(), cache: ProxySettings.Cache()
        )
    }
}
