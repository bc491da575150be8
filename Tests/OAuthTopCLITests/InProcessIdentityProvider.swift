import DemoIdentityProvider
import Logging

/// A demo identity provider run in-process on a loopback port for the length of a test, and the
/// `providers:` entry of an oauthtop.yaml that points at it (secrets through `{env: NAME}`).
struct InProcessIdentityProvider: Sendable {
    static let clientID = "cli-alerting-client"
    static let providerName = "cli-alerting"
    /// Passed only through the child's environment.
    static let clientSecret = "cli-alerting-client-secret-0123456789-abcdefghij"

    let endpoint: DemoEndpoint
    /// The provider itself, for its statistics.
    let provider: DemoIdentityProvider
    /// A refresh token issued for ``clientID`` before the test starts oauthtop.
    let refreshToken: String

    /// Starts a provider with one endpoint, runs `body`, and stops the provider.
    ///
    /// - Parameters:
    ///   - tokenLifetime: The access tokens' lifetime.
    ///   - baseLatency: Added to every answer of the token endpoint (a slow identity provider).
    ///   - refreshTokenReuseInterval: How long a rotated-away refresh token keeps working (refresh tokens
    ///     always rotate); zero retires it at once. The default is a minute, as providers offer (Auth0's reuse
    ///     interval, Okta's grace period): a first request that timed out while the whole suite started on 2 cores
    ///     is retried instead of losing the rotation. The fleet tests that check strict rotation pass zero.
    ///   - recordsIssuedTokens: Keep every token issued, for ``DemoIdentityProvider/issuedTokens()``.
    static func with<T: Sendable>(
        tokenLifetime: Duration = .seconds(300),
        baseLatency: Duration = .zero,
        refreshTokenReuseInterval: Duration = .seconds(60),
        recordsIssuedTokens: Bool = false,
        _ body: (InProcessIdentityProvider) async throws -> T
    ) async throws -> T {
        var configuration = DemoIdentityProviderConfiguration()
        configuration.endpoints = [DemoEndpointSpec(name: "primary")]
        configuration.clients = [DemoClient(id: Self.clientID, secret: Self.clientSecret)]
        configuration.tokenLifetime = tokenLifetime
        configuration.baseLatency = baseLatency
        configuration.refreshTokenReuseInterval = refreshTokenReuseInterval
        configuration.recordsIssuedTokens = recordsIssuedTokens
        let provider = DemoIdentityProvider(
            configuration: configuration,
            logger: Logger(label: "cli-test.idp") { _ in SwiftLogNoOpLogHandler() }
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await provider.run() }
            defer { group.cancelAll() }
            let endpoint = try await provider.waitUntilListening()[0]
            let fixture = InProcessIdentityProvider(
                endpoint: endpoint, provider: provider, refreshToken: provider.issueRefreshToken(clientID: Self.clientID)
            )
            return try await body(fixture)
        }
    }

    /// The `providers:` section (top level of oauthtop.yaml) for this provider.
    var providersYAML: String {
        """
        providers:
          - name: \(Self.providerName)
            grant: refresh_token
            token_endpoints: [\(self.endpoint.url)]
            client_id: \(Self.clientID)
            client_secret: {env: CLI_TEST_CLIENT_SECRET}
            refresh_token: {env: CLI_TEST_REFRESH_TOKEN}

        """
    }

    /// The environment entries the `providers:` section reads.
    var environment: [String: String] {
        ["CLI_TEST_CLIENT_SECRET": Self.clientSecret, "CLI_TEST_REFRESH_TOKEN": self.refreshToken]
    }
}
