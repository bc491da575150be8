/// Tests of the daemon's token socket: the request parser, the server on a real Unix socket and
/// loopback TCP port in front of a token manager and a demo identity provider, and the client.
///
/// They own: a temporary socket directory per test, the demo identity provider on 127.0.0.1, and
/// real clients (AsyncHTTPClient, `curl --unix-socket`, `setpriv` to connect as another uid). They
/// must not: talk to anything but loopback, sleep a fixed time hoping, or print a token.

import DemoIdentityProvider
import Foundation
import Hummingbird
import Logging
import MetricsTestKit
import OAuthTopRuntime
import OAuthTopTestKit
import ServiceLifecycle
import Synchronization
import Telemetry
import Testing
import TokenManager

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A token socket server under test, with the manager and identity provider behind it.
struct SocketFixture: Sendable {
    static let clientID = "socket-test-client"
    static let clientSecret = "socket-test-client-secret-0123456789-abcdefghij"
    static let providerName = "idp"

    let directory: String
    let configuration: TokenSocketConfiguration
    let listening: TokenSocketServer.Listening
    let manager: OAuthTokenManager
    let provider: ProviderID
    let identityProvider: DemoIdentityProvider
    let metrics: TestMetrics

    /// Requests that reached the identity provider's token path.
    var tokenEndpointRequests: Int { self.identityProvider.statistics().total.requests }

    /// `oauth_token_requests_total{provider, consumer="socket", outcome}`, 0 when never counted.
    func requests(provider: String = Self.providerName, outcome: String) -> Int64 {
        let counter = try? self.metrics.expectCounter(
            TokenRequestMetrics.name, [("provider", provider), ("consumer", "socket"), ("outcome", outcome)]
        )
        return counter?.totalValue ?? 0
    }
}

/// How a test wants its server.
struct SocketOptions: Sendable {
    var baseLatency: Duration = .zero
    var mode: UInt16 = 0o600
    var groupID: UInt32?
    var tcp = false
    /// The socket directory's mode (the test makes the directory, so the server leaves it alone).
    var directoryMode: mode_t = 0o700
    /// Providers beside the identity provider's, e.g. one whose endpoint refuses connections.
    var extraProviders: [ProviderConfiguration] = []
    /// Answers `/api/v1/...` (none by default).
    var prometheusAPI: PrometheusAPIEndpoint?
    /// Endpoints added beside the socket's own.
    var routes: @Sendable (Router<TokenSocketRequestContext>) -> Void = { _ in }
    /// The provider's timeout ladder.
    var timeouts: TimeoutLadder = .default
}

/// Runs the identity provider, a manager (not refreshing in the background: tokens are fetched when
/// asked for) and a token socket server in a new directory for the duration of `body`.
func withSocketServer<T: Sendable>(
    _ options: SocketOptions = SocketOptions(),
    _ body: @Sendable (SocketFixture) async throws -> T
) async throws -> T {
    let directory = "/tmp/oauthtop-sock-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
    chmod(directory, options.directoryMode)
    defer { try? FileManager.default.removeItem(atPath: directory) }

    let idpConfiguration = DemoIdentityProviderConfiguration(
        endpoints: [DemoEndpointSpec(name: "primary")],
        clients: [DemoClient(id: SocketFixture.clientID, secret: SocketFixture.clientSecret)],
        tokenLifetime: .seconds(300),
        baseLatency: options.baseLatency
    )
    let identityProvider = DemoIdentityProvider(
        configuration: idpConfiguration, logger: Logger(label: "socket-test.idp") { _ in SwiftLogNoOpLogHandler() }
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await identityProvider.run() }
        defer { group.cancelAll() }
        let endpoint = try await identityProvider.waitUntilListening(timeout: .seconds(30))[0]
        let providerConfiguration = ProviderConfiguration(
            name: SocketFixture.providerName,
            grant: .refreshToken,
            tokenEndpoints: [endpoint.url],
            clientID: SocketFixture.clientID,
            clientSecret: Secret(SocketFixture.clientSecret),
            refreshToken: Secret(identityProvider.issueRefreshToken(clientID: SocketFixture.clientID)),
            timeouts: options.timeouts
        )
        let transport = HTTPClientTransport()
        let metrics = TestMetrics()
        let manager = OAuthTokenManager(
            providers: [providerConfiguration] + options.extraProviders,
            transport: transport,
            random: .fixed(0.5),
            metricsFactory: metrics,
            logger: Logger(label: "socket-test.manager") { _ in SwiftLogNoOpLogHandler() }
        )
        let configuration = TokenSocketConfiguration(
            path: directory + "/oauthtop.sock",
            mode: options.mode,
            groupID: options.groupID,
            tcp: options.tcp ? ListenAddress(host: "127.0.0.1", port: 0) : nil,
            secretFile: directory + "/tcp.secret"
        )
        let handler = TokenSocketHandler(
            manager: manager,
            socketPath: configuration.path,
            metrics: TokenRequestMetrics(
                consumer: "socket", providers: manager.providers.map(\.name), factory: metrics
            ),
            prometheusAPI: options.prometheusAPI
        )
        let listening = Mutex<TokenSocketServer.Listening?>(nil)
        let server = TokenSocketServer(
            configuration: configuration, handler: handler,
            logger: Logger(label: "socket-test.server") { _ in SwiftLogNoOpLogHandler() },
            routes: options.routes,
            onListening: { bound in listening.withLock { $0 = bound } }
        )
        // In a service group, stopped by a graceful shutdown: cancelling a NIO server while it accepts a
        // connection drops that connection's async channel unserved, which traps (swift-nio #2637, #3481).
        let serverGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: server)], gracefulShutdownSignals: [], cancellationSignals: [],
                logger: Logger(label: "socket-test.group") { _ in SwiftLogNoOpLogHandler() }
            )
        )
        let serving = Task { try await serverGroup.run() }
        let outcome: Result<T, any Error>
        do {
            guard await eventually(timeout: .seconds(30), { listening.withLock { $0 != nil } }),
                let bound = listening.withLock({ $0 })
            else { throw SocketTestFailure("the token socket did not start listening within 30 s") }
            let provider = try #require(manager.provider(named: SocketFixture.providerName))
            outcome = .success(
                try await body(
                    SocketFixture(
                        directory: directory, configuration: configuration, listening: bound, manager: manager,
                        provider: provider, identityProvider: identityProvider, metrics: metrics
                    )
                )
            )
        } catch {
            outcome = .failure(error)
        }
        await serverGroup.triggerGracefulShutdown()
        _ = await serving.result
        group.cancelAll()
        await transport.shutdown()
        return try outcome.get()
    }
}

/// A provider whose only endpoint refuses connections, so that every refresh fails at once.
/// The refusing ports of ``unreachableProvider(name:)``, held for the test run: a port merely found free was
/// once taken meanwhile by another test's server, and the "unreachable" endpoint answered.
private let refusingPorts = Mutex<[RefusingLoopbackPort]>([])

func unreachableProvider(name: String = "broken") throws -> ProviderConfiguration {
    let refusing = try RefusingLoopbackPort()
    refusingPorts.withLock { $0.append(refusing) }
    return ProviderConfiguration(
        name: name,
        grant: .clientCredentials,
        tokenEndpoints: ["http://127.0.0.1:\(refusing.port)/oauth/token"],
        clientID: "nobody",
        clientSecret: Secret("broken-provider-secret-0123456789-abcdefghij"),
        retry: RetryPolicy(maxAttempts: 1, baseDelay: .milliseconds(10), maxDelay: .milliseconds(10))
    )
}

/// A test-side failure with a message that says what was expected.
struct SocketTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The permission bits and group of the file at `path`.
func fileMode(_ path: String) -> (mode: mode_t, gid: gid_t)? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return (info.st_mode & 0o777, info.st_gid)
}
