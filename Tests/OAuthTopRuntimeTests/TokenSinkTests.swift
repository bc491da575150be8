import Foundation
import Logging
import MetricsTestKit
import OAuthTopRuntime
import OAuthTopTestKit
import Primitives
import ServiceLifecycle
import Synchronization
import Testing
import TokenManager

@Suite("Sinks: token files rewritten after every refresh")
struct TokenSinkTests {
    static func manager(_ transport: ScriptedTransport) -> OAuthTokenManager {
        let provider = ProviderConfiguration(
            name: "p", grant: .clientCredentials, tokenEndpoints: ["http://a.test/token"], clientID: "client",
            clientSecret: Secret("client-secret-123")
        )
        return OAuthTokenManager(
            providers: [provider], transport: transport, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
    }

    private func withDirectory(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sinks-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await body(directory)
    }

    private static func contents(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    @Test("a sink is written when the first token arrives and rewritten after a refresh; its writes are counted")
    func rewrittenAfterRefresh() async throws {
        try await self.withDirectory { directory in
            let transport = ScriptedTransport([
                .token("first-token", expiresIn: 3_600), .token("second-token", expiresIn: 3_600),
            ])
            let manager = Self.manager(transport)
            let metrics = TestMetrics()
            let consumers = ConsumerRegistry()
            let raw = TokenFile(path: directory + "/raw")
            let json = TokenFile(path: directory + "/p.json", mode: try FileMode(parsing: "0640"), format: .json)
            let service = TokenSinkService(
                sinks: [TokenSink(provider: "p", file: raw), TokenSink(provider: "p", file: json)],
                source: ManagerTokenSource(manager: manager), consumers: consumers,
                requests: TokenRequestCounter(factory: metrics), logger: Logger(label: "test")
            )
            let running = Task { try await service.run() }
            defer { running.cancel() }

            _ = try await manager.token(for: "p")
            #expect(await eventually { Self.contents(raw.path) == "first-token" })
            #expect(await eventually { Self.contents(json.path)?.contains(#""access_token":"first-token""#) == true })
            var info = stat()
            stat(json.path, &info)
            #expect(info.st_mode & 0o777 == 0o640)

            let id = try #require(manager.provider(named: "p"))
            _ = try await manager.refresh(id)
            #expect(await eventually { Self.contents(raw.path) == "second-token" })
            #expect(await eventually { Self.contents(json.path)?.contains(#""access_token":"second-token""#) == true })

            let sink = try #require(consumers.snapshot().first { $0.id == raw.path })
            #expect(sink.kind == .sink)
            #expect(sink.provider == "p")
            #expect(sink.lastOutcome == "success")
            #expect(sink.tokenFingerprint == Secret("second-token").fingerprint)
            #expect(sink.lastAt != nil)
            let writes = try metrics.expectCounter(
                OAuthTopMetricNames.tokenRequests, [("provider", "p"), ("consumer", "sink"), ("outcome", "success")]
            )
            #expect(await eventually { writes.totalValue == 4 })
            let failures = try metrics.expectCounter(
                OAuthTopMetricNames.tokenRequests,
                [("provider", "p"), ("consumer", "sink"), ("outcome", "write_failed")]
            )
            #expect(failures.totalValue == 0, "created at 0")
        }
    }

    @Test("a sink that cannot be written records the failure and keeps trying; the token never appears in it")
    func writeFailure() async throws {
        let transport = ScriptedTransport([.token("only-token", expiresIn: 3_600)])
        let manager = Self.manager(transport)
        let consumers = ConsumerRegistry()
        let path = "/proc/oauthtop-no-such-dir/token"
        let service = TokenSinkService(
            sinks: [TokenSink(provider: "p", file: TokenFile(path: path))],
            source: ManagerTokenSource(manager: manager), consumers: consumers,
            requests: TokenRequestCounter(factory: TestMetrics()), logger: Logger(label: "test")
        )
        let running = Task { try await service.run() }
        defer { running.cancel() }
        _ = try await manager.token(for: "p")
        #expect(await eventually { consumers.snapshot().first?.lastOutcome == "write_failed" })
        let sink = try #require(consumers.snapshot().first)
        #expect(sink.lastError?.contains("/proc/oauthtop-no-such-dir") == true)
        #expect(sink.lastError?.contains("only-token") == false)
    }

    @Test("a token that expires while a keeper's file holds it is counted once, by the manager that handed it out")
    func expiredWhileHeld() async throws {
        try await self.withDirectory { directory in
            // One 2-second token, then every refresh fails (the script is exhausted: connection errors).
            let transport = ScriptedTransport([.token("short-lived", expiresIn: 2)])
            let metrics = TestMetrics()
            let provider = ProviderConfiguration(
                name: "p", grant: .clientCredentials, tokenEndpoints: ["http://a.test/token"], clientID: "client",
                clientSecret: Secret("client-secret-123"),
                retry: RetryPolicy(maxAttempts: 1, baseDelay: .milliseconds(50), maxDelay: .milliseconds(100))
            )
            let manager = OAuthTokenManager(
                providers: [provider], transport: transport, metricsFactory: metrics,
                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            )
            let keeper = TokenFileKeeper(
                source: ManagerTokenSource(manager: manager), provider: "p", file: TokenFile(path: directory + "/t")
            )
            #expect(await keeper.update(waiting: true)?.outcome == .success)
            let running = Task { await keeper.run() }
            defer { running.cancel() }
            let expired = try metrics.expectCounter(OAuthMetricNames.tokenExpiredDuringTask, [("provider", "p")])
            #expect(await eventually(timeout: .seconds(30)) { expired.totalValue == 1 })
            keeper.stop()
            _ = try? await manager.token(for: "p")
            #expect(expired.totalValue == 1, "counted once per token")
            #expect(Self.contents(directory + "/t") == "short-lived", "the file keeps the last token it had")
        }
    }

    @Test("a keeper asks again before its token expires, so a source that cannot notify still keeps the file fresh")
    func keeperRenewsWithoutNotice() async throws {
        try await self.withDirectory { directory in
            let source = SilentSource()
            let file = TokenFile(path: directory + "/t")
            let keeper = TokenFileKeeper(source: source, provider: "p", file: file)
            let first = await keeper.update(waiting: true)
            #expect(first?.outcome == .success)
            #expect(Self.contents(file.path) == "token-1")
            let running = Task { await keeper.run() }
            defer { running.cancel() }
            #expect(await eventually(timeout: .seconds(20)) { Self.contents(file.path) == "token-2" })
            keeper.stop()
            source.advance()
            #expect(await keeper.update(waiting: true) == nil, "no write after stop()")
            #expect(Self.contents(file.path) == "token-2")
        }
    }
}

/// A source that never notifies: each token lives 2 seconds and the next one is handed out once the
/// previous has half expired (at most `token-2`, unless ``advance()`` is called).
private final class SilentSource: TokenSource {
    private struct State {
        var generation = 1
        var issuedAt = WallClock.realtimeNanos()
    }

    private let state = Mutex(State())

    func advance() { self.state.withLock { $0.generation += 1 } }

    func providerNames() -> [String] { ["p"] }

    func token(for provider: String) -> AccessToken {
        self.state.withLock { state in
            let now = WallClock.realtimeNanos()
            if now - state.issuedAt > 1_000_000_000, state.generation < 2 {
                state.generation += 1
                state.issuedAt = now
            }
            return AccessToken(
                value: Secret("token-\(state.generation)"), tokenType: "Bearer",
                expiresAt: state.issuedAt + 2_000_000_000
            )
        }
    }

    func currentToken(for provider: String) -> AccessToken? { self.token(for: provider) }

    func onChange(of provider: String, _ action: @escaping @Sendable () -> Void) {}
}
