/// Tests of the authenticating API proxy: a real listener (loopback TCP or a Unix socket) in front of a token
/// manager and the demo identity provider, forwarding to a scripted upstream or the demo provider's protected
/// API, driven by real clients (curl, Python httpx, raw sockets).
///
/// They own: a temporary directory per test, the servers on 127.0.0.1. They must not: talk to anything but
/// loopback, sleep a fixed time hoping, or print a token, a secret or a request body.

import DemoIdentityProvider
import Foundation
import Logging
import MetricsTestKit
import OAuthTopConfig
import OAuthTopRuntime
import OAuthTopTestKit
import ServiceLifecycle
import Synchronization
import Testing
import TokenManager

#if canImport(Glibc)
import Glibc
#endif

/// A proxy under test with everything behind it.
struct ProxyFixture: Sendable {
    static let clientID = "proxy-test-client"
    static let clientSecret = "proxy-test-client-secret-0123456789-abcdefghij"
    static let providerName = "idp"

    let directory: String
    let listening: APIProxyService.Listening
    let manager: OAuthTokenManager
    let provider: ProviderID
    let identityProvider: DemoIdentityProvider
    let upstream: ScriptedUpstream
    let metrics: TestMetrics
    let events: EventLog
    let logs: LogCapture

    /// Requests that reached the identity provider's token path.
    var tokenEndpointRequests: Int { self.identityProvider.statistics().total.requests }

    /// The TCP listener's secret.
    var secret: String {
        get throws {
            let file = try #require(self.listening.secretFile)
            return try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// The TCP listener's URL.
    var url: String { self.listening.url }

    /// A counter's value, 0 when never made.
    func counter(_ name: String, _ labels: [(String, String)] = []) -> Int64 {
        (try? self.metrics.expectCounter(name, [("proxy", "api")] + labels))?.totalValue ?? 0
    }

    /// The current token's value (a secret: compared, never printed).
    func currentToken() async throws -> String {
        try await self.manager.token(for: self.provider).value.revealed
    }
}

/// The events the manager published during a test.
final class EventLog: Sendable {
    private let events = Mutex<[TokenEvent]>([])
    func append(_ event: TokenEvent) { self.events.withLock { $0.append(event) } }
    var all: [TokenEvent] { self.events.withLock { $0 } }
    func of(_ kind: TokenEvent.Kind) -> [TokenEvent] { self.all.filter { $0.kind == kind } }
}

/// How a test wants its proxy.
struct ProxyOptions: Sendable {
    var unix = false
    /// The path under the upstream's root that is the proxy's base.
    var basePath = "/base"
    /// Forward to the demo identity provider's root instead of the scripted upstream.
    var toIdentityProvider = false
    /// An upstream URL that overrides both.
    var upstreamURL: String?
    var authErrors = ProxySettings.AuthErrors()
    var rateLimit = ProxySettings.RateLimit()
    var onRateLimit: ProxySettings.BodyRewrite?
    var readTimeout: Duration = .seconds(30)
    /// The upstream's CA file (`ca_file`) and the pool's `max_connections` (the settings' default when `nil`).
    var caFile: String?
    var maxConnections: Int?
    var quota: ProxySettings.Quota?
    var cache: ProxySettings.Cache?
    /// A token endpoint for the provider instead of the identity provider's (one that refuses connections
    /// puts the provider in emergency mode).
    var tokenEndpoint: String?
}

/// Runs the identity provider, a manager, the scripted upstream and one proxy named `api` for `body`.
func withProxy<T: Sendable>(
    _ options: ProxyOptions = ProxyOptions(),
    _ body: @Sendable (ProxyFixture) async throws -> T
) async throws -> T {
    let directory = "/tmp/oauthtop-proxy-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
    chmod(directory, 0o700)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let quiet = Logger(label: "proxy-test") { _ in SwiftLogNoOpLogHandler() }

    var configuration = DemoIdentityProviderConfiguration(
        endpoints: [DemoEndpointSpec(name: "primary")],
        clients: [DemoClient(id: ProxyFixture.clientID, secret: ProxyFixture.clientSecret)],
        tokenLifetime: .seconds(300)
    )
    // As Auth0 and Okta do: a first refresh that timed out under the suite's start-up (its answer lost) may be
    // retried with the same refresh token. These tests are about the proxy, not rotation.
    configuration.refreshTokenReuseInterval = .seconds(60)
    let identityProvider = DemoIdentityProvider(configuration: configuration, logger: quiet)
    let upstream = ScriptedUpstream()
    try await upstream.start()
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await identityProvider.run() }
        defer { group.cancelAll() }
        let endpoint = try await identityProvider.waitUntilListening(timeout: .seconds(30))[0]
        let transport = HTTPClientTransport()
        let metrics = TestMetrics()
        let logs = LogCapture()
        let manager = OAuthTokenManager(
            providers: [
                ProviderConfiguration(
                    name: ProxyFixture.providerName, grant: .refreshToken,
                    tokenEndpoints: [options.tokenEndpoint ?? endpoint.url],
                    clientID: ProxyFixture.clientID, clientSecret: Secret(ProxyFixture.clientSecret),
                    refreshToken: Secret(identityProvider.issueRefreshToken(clientID: ProxyFixture.clientID))
                )
            ],
            transport: transport, random: .fixed(0.5), metricsFactory: metrics,
            logger: logs.logger(label: "proxy-test.manager")
        )
        let events = EventLog()
        manager.subscribe { events.append($0) }
        let base: String
        if let url = options.upstreamURL {
            base = url
        } else if options.toIdentityProvider {
            base = "http://127.0.0.1:\(endpoint.port)"
        } else {
            base = upstream.baseURL + options.basePath
        }
        var settings = ProxySettings(
            name: "api", listen: options.unix ? .unix(path: directory + "/api.sock") : .tcp("127.0.0.1:0"),
            upstream: base, provider: ProxyFixture.providerName
        )
        settings.authErrors = options.authErrors
        settings.rateLimit = options.rateLimit
        settings.onRateLimit = options.onRateLimit
        settings.readTimeout = options.readTimeout
        settings.caFile = options.caFile
        if let maxConnections = options.maxConnections { settings.maxConnections = maxConnections }
        settings.quota = options.quota
        settings.cache = options.cache
        let listening = Mutex<APIProxyService.Listening?>(nil)
        let proxy = APIProxyService(
            settings: settings, secretFile: directory + "/api.secret", manager: manager, metricsFactory: metrics,
            logger: logs.logger(label: "proxy-test.proxy"), onListening: { bound in listening.withLock { $0 = bound } }
        )
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: proxy)], gracefulShutdownSignals: [], cancellationSignals: [], logger: quiet
            )
        )
        let serving = Task { try await serviceGroup.run() }
        let outcome: Result<T, any Error>
        do {
            guard await eventually(timeout: .seconds(30), { listening.withLock { $0 != nil } }),
                let bound = listening.withLock({ $0 })
            else { throw ProxyTestFailure("the proxy did not start listening within 30 s") }
            let provider = try #require(manager.provider(named: ProxyFixture.providerName))
            outcome = .success(
                try await body(
                    ProxyFixture(
                        directory: directory, listening: bound, manager: manager, provider: provider,
                        identityProvider: identityProvider, upstream: upstream, metrics: metrics, events: events,
                        logs: logs
                    )
                )
            )
        } catch {
            outcome = .failure(error)
        }
        await serviceGroup.triggerGracefulShutdown()
        _ = await serving.result
        await upstream.stop()
        group.cancelAll()
        await transport.shutdown()
        return try outcome.get()
    }
}

/// A test-side failure with a message that says what was expected.
struct ProxyTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
