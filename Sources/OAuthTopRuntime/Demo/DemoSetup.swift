import Crypto
import DemoIdentityProvider
import Foundation
import TokenManager

/// The demo's settings: an identity provider issuing short tokens, and a provider configured
/// so that a minute and a half shows every behaviour (see `DemoSchedule` for the faults); a second
/// provider, `reports`, with longer tokens from an identity provider of its own and a light schedule of
/// its own; and the exec'd task that holds a `reports` token.
public enum DemoSetup {
    /// The client the demo registers; its secret is random per run and never printed.
    public static let clientID = "oauthtop-demo"
    /// Lifetime of the demo's tokens: short, so refreshes happen every few seconds.
    public static let tokenLifetime: Duration = .seconds(20)

    /// A random secret of `bytes` bytes, hex-encoded.
    public static func randomSecret(bytes: Int = 32) -> String {
        let key = SymmetricKey(size: SymmetricKeySize(bitCount: bytes * 8))
        return key.withUnsafeBytes { buffer in buffer.map { String(format: "%02x", $0) }.joined() }
    }

    /// The embedded identity provider: two endpoints on free loopback ports, HS256 tokens.
    public static func identityProviderConfiguration(clientSecret: String, latency: Duration = .milliseconds(20))
        -> DemoIdentityProviderConfiguration
    {
        var configuration = DemoIdentityProviderConfiguration()
        configuration.endpoints = [DemoEndpointSpec(name: "primary"), DemoEndpointSpec(name: "secondary")]
        configuration.clients = [DemoClient(id: self.clientID, secret: clientSecret)]
        configuration.tokenLifetime = self.tokenLifetime
        configuration.signing = .hs256RandomKey()
        configuration.baseLatency = latency
        // The demo's slow responses outlast the quick timeout; like most real providers, let the
        // retry reuse the refresh token whose rotated successor was lost with the timed-out response.
        configuration.refreshTokenReuseInterval = .seconds(10)
        return configuration
    }

    /// How long the demo's emergency key may be used per outage: longer than the demo's full
    /// outage (55s-72s of `DemoSchedule`), so the workload stays served until OAuth is back.
    public static let emergencyKeyMaxDuration: Duration = .seconds(60)

    /// The second provider's name.
    public static let reportsProvider = "reports"
    /// Lifetime of the `reports` provider's tokens.
    public static let reportsTokenLifetime: Duration = .seconds(45)

    /// The `reports` provider's identity provider: two endpoints of its own, 45-second tokens.
    public static func reportsIdentityProviderConfiguration(clientSecret: String) -> DemoIdentityProviderConfiguration {
        var configuration = self.identityProviderConfiguration(clientSecret: clientSecret)
        configuration.tokenLifetime = self.reportsTokenLifetime
        return configuration
    }

    /// The `reports` provider's faults, lighter than the `demo` provider's and at other times: its refreshes
    /// land about every 31 seconds; the first meets a slow answer that outlasts the quick timeout (retried),
    /// the second a 503 on the primary endpoint (retried there). Its breaker stays closed.
    public static func reportsSchedule() -> FaultSchedule {
        FaultSchedule(faults: [
            Fault(kind: .slow(delay: .milliseconds(1500)), start: .seconds(25), end: .seconds(40), count: 1),
            Fault(kind: .httpError(status: 503), start: .seconds(55), end: .seconds(75), count: 1,
                endpoints: ["primary"]),
        ])
    }

    /// The `reports` provider: the `demo` provider's settings against its own identity provider, without a
    /// fallback chain.
    public static func reportsProviderConfiguration(endpoints: [String], clientSecret: String, refreshToken: String)
        -> ProviderConfiguration
    {
        var configuration = self.providerConfiguration(
            endpoints: endpoints, clientSecret: clientSecret, refreshToken: refreshToken
        )
        configuration.name = self.reportsProvider
        configuration.scopes = ["reports.read"]
        configuration.fallback = []
        return configuration
    }

    /// The demo provider: refresh-token grant against both endpoints, with settings scaled to
    /// 20-second tokens (advisory 30%, mandatory 10%, quick timeouts, breaker after 2 rounds),
    /// and a fallback chain of one emergency key, so the full outage shows the fallback at work.
    ///
    /// - Parameter emergencyKey: The fallback key; by default random per run, never printed.
    public static func providerConfiguration(
        endpoints: [String],
        clientSecret: String,
        refreshToken: String,
        emergencyKey: String = DemoSetup.randomSecret()
    ) -> ProviderConfiguration {
        ProviderConfiguration(
            name: "demo",
            grant: .refreshToken,
            tokenEndpoints: endpoints,
            clientID: self.clientID,
            clientSecret: Secret(clientSecret),
            refreshToken: Secret(refreshToken),
            clientAuthentication: .basic,
            scopes: ["demo.read"],
            refresh: RefreshPolicy(advisoryFraction: 0.3, mandatoryFraction: 0.1, jitterFraction: 0.05),
            retry: RetryPolicy(
                maxAttempts: 3, baseDelay: .milliseconds(200), maxDelay: .seconds(2), maxRetryAfter: .seconds(10)
            ),
            timeouts: TimeoutLadder(steps: [
                TimeoutStep(connect: .milliseconds(500), total: .seconds(1)),
                TimeoutStep(connect: .seconds(1), total: .seconds(2)),
                TimeoutStep(connect: .seconds(2), total: .seconds(4)),
            ]),
            breaker: BreakerPolicy(failureThreshold: 2, coolDown: .seconds(8)),
            fallback: [.emergencyKey(Secret(emergencyKey), maxDuration: self.emergencyKeyMaxDuration)]
        )
    }
}
