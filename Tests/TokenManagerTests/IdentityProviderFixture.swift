import DemoIdentityProvider
import Foundation
import Logging
import MetricsTestKit
import OAuthTopTestKit
import Synchronization
import Testing
import TokenManager

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one client the demo identity provider knows; the manager authenticates as it.
enum IntegrationCredentials {
    static let clientID = "integration-client"
    /// Over 32 characters, with characters that HTTP Basic's form encoding must escape.
    static let clientSecret = "integration secret+/=&%:0123456789abcdef"
    /// 37 bytes: jwt-kit asserts on HS256 keys shorter than 32 bytes in debug builds.
    static let signingKey = Array("integration-test-hs256-key-0123456789".utf8)
    /// The provider name the manager uses.
    static let providerName = "idp"
}

/// A demo identity provider running for one test, with its bound endpoints.
struct RunningIdentityProvider: Sendable {
    let provider: DemoIdentityProvider
    let endpoints: [DemoEndpoint]

    /// The token endpoint URL of the endpoint called `name`.
    func url(_ name: String) throws -> String {
        try self.provider.endpoint(named: name).url
    }

    /// Requests that reached the token path, over every endpoint.
    var requests: Int { self.provider.statistics().total.requests }

    /// A fresh refresh token for the integration client. Treat it as a secret.
    func issueRefreshToken() -> String {
        self.provider.issueRefreshToken(clientID: IntegrationCredentials.clientID)
    }

    /// Waits until a plain TCP connect to the endpoint is refused, i.e. an outage closed its listener.
    func waitUntilRefused(_ name: String, timeout: Duration = .seconds(30)) async throws -> Bool {
        let port = try self.provider.endpoint(named: name).port
        return await eventually(timeout: timeout) { connectionRefused(port: port) }
    }
}

/// Runs a demo identity provider on 127.0.0.1 (free ports) for the duration of `body`, then stops it.
///
/// - Parameters:
///   - endpoints: Endpoint names, in order; each gets its own listener.
///   - schedule: Faults to inject, measured from the provider's start on the real clock.
///   - baseLatency: Latency added to every response.
func withIdentityProvider<T: Sendable>(
    endpoints: [String] = ["primary", "secondary"],
    schedule: FaultSchedule = .none,
    baseLatency: Duration = .zero,
    refreshTokenReuseInterval: Duration = .zero,
    _ body: @Sendable (RunningIdentityProvider) async throws -> T
) async throws -> T {
    var configuration = DemoIdentityProviderConfiguration(
        endpoints: endpoints.map { DemoEndpointSpec(name: $0) },
        clients: [DemoClient(id: IntegrationCredentials.clientID, secret: IntegrationCredentials.clientSecret)],
        signing: try .hs256(key: IntegrationCredentials.signingKey),
        baseLatency: baseLatency
    )
    configuration.refreshTokenReuseInterval = refreshTokenReuseInterval
    let provider = DemoIdentityProvider(
        configuration: configuration,
        schedule: schedule,
        logger: Logger(label: "demo-idp") { _ in SwiftLogNoOpLogHandler() }
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await provider.run() }
        let outcome: Result<T, any Error>
        do {
            let endpoints = try await provider.waitUntilListening(timeout: .seconds(30))
            outcome = .success(try await body(RunningIdentityProvider(provider: provider, endpoints: endpoints)))
        } catch {
            outcome = .failure(error)
        }
        group.cancelAll()
        try await group.waitForAll()
        return try outcome.get()
    }
}

/// A manager under test with everything it reported.
struct ManagerFixture: Sendable {
    let manager: OAuthTokenManager
    let provider: ProviderID
    let events: EventRecorder
    let metrics: TestMetrics
    let logs: LogCapture

    /// `oauth_refresh_attempts_total` for one endpoint and outcome.
    func attempts(_ endpoint: String, _ outcome: String) -> Int64 {
        self.metrics.counterTotal(
            label: OAuthMetricNames.refreshAttempts,
            dimensions: [
                ("provider", IntegrationCredentials.providerName), ("endpoint", endpoint), ("outcome", outcome),
            ]
        )
    }

    /// The last value of `oauth_circuit_breaker_state`.
    func breakerGauge() throws -> Double? {
        try self.metrics.expectGauge(OAuthMetricNames.circuitBreakerState, [("provider", IntegrationCredentials.providerName)])
            .lastValue
    }
}

/// Runs a manager with the real AsyncHTTPClient transport for the duration of `body`.
///
/// The transport is passed in (rather than left to the manager's default) because only
/// `OAuthTokenManager.run()` shuts a manager-owned transport down, and an `HTTPClient` that is
/// never shut down traps in its `deinit` in debug builds.
func withManager<T: Sendable>(
    _ configuration: ProviderConfiguration,
    clock: WallClock,
    store: FileTokenStore? = nil,
    _ body: @Sendable (ManagerFixture) async throws -> T
) async throws -> T {
    let transport = HTTPClientTransport()
    let events = EventRecorder()
    let metrics = TestMetrics()
    let logs = LogCapture()
    let manager = OAuthTokenManager(
        providers: [configuration],
        transport: transport,
        clock: clock,
        random: .fixed(0.5),
        store: store,
        metricsFactory: metrics,
        logger: logs.logger(label: "token-manager-integration")
    )
    manager.subscribe { events.record($0) }
    let outcome: Result<T, any Error>
    do {
        let provider = try #require(manager.provider(named: configuration.name))
        let fixture = ManagerFixture(manager: manager, provider: provider, events: events, metrics: metrics, logs: logs)
        outcome = .success(try await body(fixture))
    } catch {
        outcome = .failure(error)
    }
    await transport.shutdown()
    return try outcome.get()
}

/// A provider configuration pointing at the running identity provider's endpoints.
///
/// - Parameters:
///   - endpoints: Endpoint names in failover order; all of the provider's by default.
///   - refreshToken: For the `refresh_token` grant; a fresh one is issued when `nil`.
func integrationProvider(
    _ idp: RunningIdentityProvider,
    endpoints: [String]? = nil,
    grant: GrantType = .refreshToken,
    refreshToken: String? = nil,
    retry: RetryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(2)),
    timeouts: TimeoutLadder = .default,
    breaker: BreakerPolicy = BreakerPolicy()
) throws -> ProviderConfiguration {
    let urls = try (endpoints ?? idp.endpoints.map(\.name)).map { try idp.url($0) }
    var token: Secret?
    if grant == .refreshToken {
        token = Secret(refreshToken ?? idp.issueRefreshToken())
    }
    return ProviderConfiguration(
        name: IntegrationCredentials.providerName,
        grant: grant,
        tokenEndpoints: urls,
        clientID: IntegrationCredentials.clientID,
        clientSecret: Secret(IntegrationCredentials.clientSecret),
        refreshToken: token,
        retry: retry,
        timeouts: timeouts,
        breaker: breaker
    )
}

// MARK: Secrets

/// Checks that no secret appears in the manager's events, logs, snapshot or the given errors.
///
/// Besides the given values it looks for the demo provider's token prefixes and a JWT's
/// `eyJ` header, so tokens the test never saw (rotated refresh tokens, bodies of broken
/// responses) are caught too. A failure names the secret by fingerprint only.
func expectNoSecrets(
    _ fixture: ManagerFixture,
    errors: [TokenRefreshError] = [],
    secrets: [String],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    var texts: [(source: String, text: String)] = []
    for event in fixture.events.all { texts.append(("event \(event.kind)", render(event))) }
    for line in fixture.logs.lines { texts.append(("log line", line)) }
    for error in errors { texts.append(("error description", error.description)) }
    for snapshot in fixture.manager.snapshot() {
        texts.append(("snapshot", "\(snapshot.lastError ?? "") \(snapshot.tokenFingerprint ?? "")"))
    }
    let needles = secrets.filter { !$0.isEmpty }.map { (Secret($0).description, $0) }
        + [("a JWT", "eyJ"), ("a demo refresh token", "demo_rt_"), ("a demo access token", "demo_at_")]
    for (source, text) in texts {
        for (name, needle) in needles where text.contains(needle) {
            Issue.record("\(source) contains \(name)", sourceLocation: sourceLocation)
        }
    }
}

/// An event as one line of text, every field included.
func render(_ event: TokenEvent) -> String {
    let fields = event.fields.map { field -> String in
        switch field.value {
        case .string(let value): "\(field.key)=\(value)"
        case .int(let value): "\(field.key)=\(value)"
        case .double(let value): "\(field.key)=\(value)"
        case .bool(let value): "\(field.key)=\(value)"
        }
    }
    return ([event.kind.rawValue, event.provider] + fields).joined(separator: " ")
}

extension TokenEvent {
    /// The string value of field `key`, if it is a string.
    func string(_ key: String) -> String? {
        if case .string(let value)? = self[key] { return value }
        return nil
    }

    /// The numeric value of field `key`, if it is a number.
    func number(_ key: String) -> Double? {
        switch self[key] {
        case .double(let value)?: value
        case .int(let value)?: Double(value)
        default: nil
        }
    }
}

// MARK: Sockets and files

/// The permission bits of the file at `path`, or `nil` if it cannot be read.
func permissions(ofFile path: String) -> mode_t? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return info.st_mode & 0o777
}

/// A new empty directory under the system's temporary directory, removed by `body`'s end.
func withTemporaryDirectory<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("oauthtop-idp-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// The token store file's contents, decoded the way `FileTokenStore` writes them.
struct TokenStoreFile: Decodable {
    var version: Int
    var providers: [String: StoredToken]
}
