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

    /// How long the demo's emergency key may be used per outage: longer than its use in the demo's
    /// full outage (from the approval at 85s to OAuth's return after 100s), so the workload stays served
    /// until OAuth is back.
    public static let emergencyKeyMaxDuration: Duration = .seconds(60)

    /// When the demo approves its emergency key, from the identity providers' start: it creates the key's
    /// approval file and says so (`emergency_approved`). Before it, with the `reports` provider down too,
    /// the demo provider is in emergency mode.
    public static let approvalAt: Duration = .seconds(85)

    /// The name of the emergency key's approval file in the demo's own temporary directory.
    public static let approvalFileName = "approve-emergency-key"

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

    /// The `reports` provider's faults: its refreshes land about every 31 seconds; the first meets a slow
    /// answer that outlasts the quick timeout (retried); from 40s to 100s both its endpoints are down, so its
    /// token (renewed at ~33s) serves as the `demo` provider's alternate until it too runs out (~75s): then
    /// no method gives `demo` a token (emergency mode; `reports` has no fallback chain and is in its own),
    /// until the demo approves the emergency key.
    public static func reportsSchedule() -> FaultSchedule {
        FaultSchedule(faults: [
            Fault(kind: .slow(delay: .milliseconds(1500)), start: .seconds(25), end: .seconds(40), count: 1),
            Fault(kind: .outage, start: .seconds(40), end: .seconds(100)),
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
    /// and a fallback chain of the `reports` provider's token, then an emergency key gated by an approval
    /// file, so the full outage shows the whole chain at work.
    ///
    /// - Parameters:
    ///   - emergencyKey: The fallback key; by default random per run, never printed.
    ///   - approvalFile: The file that approves the emergency key; `nil` approves it always.
    public static func providerConfiguration(
        endpoints: [String],
        clientSecret: String,
        refreshToken: String,
        emergencyKey: String = DemoSetup.randomSecret(),
        approvalFile: String? = nil
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
            fallback: [
                .alternateProvider(self.reportsProvider),
                .emergencyKey(
                    Secret(emergencyKey), maxDuration: self.emergencyKeyMaxDuration, approvalFile: approvalFile
                ),
            ]
        )
    }
}
