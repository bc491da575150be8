/// FlightRun: the single-flight run of `Benchmarks/compare`, shared by the package-benchmark benchmarks
/// (TokenManagerBenchmarks) and the plain `flight-bench` executable. It owns the Go anchor's constant token
/// endpoint (``ConstantTokenEndpoint``), callers as tasks of their own behind a latch (``runCallers(count:immediate:_:)``),
/// Swift's floors of the run (``Floors``), and a token manager holding a token from that endpoint
/// (``FlightFixture``).
import Logging
import TokenManager

/// A token manager with one provider whose token endpoint is the constant endpoint, answering after `latency`.
public final class FlightFixture: Sendable {
    public let manager: OAuthTokenManager
    public let provider: ProviderID

    public init(latency: Duration) async throws {
        let url = try await ConstantTokenEndpoint.start(latency: .nanoseconds(latency.nanoseconds))
        self.manager = OAuthTokenManager(
            providers: [
                ProviderConfiguration(
                    name: "bench", grant: .clientCredentials, tokenEndpoints: [url],
                    clientID: "bench", clientSecret: Secret("bench-secret-0123456789abcdef0123")
                )
            ],
            logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        guard let provider = self.manager.provider(named: "bench") else { throw CancellationError() }
        self.provider = provider
        _ = try await self.manager.token(for: provider)
    }

    /// Requests the token endpoint has answered so far.
    public func requests() -> Int { ConstantTokenEndpoint.requests.load(ordering: .relaxed) }

    /// Reports the current token rejected, so that the next callers find none they can use (as the Go anchor
    /// starts each run from an expired token). False when the manager has no token to reject.
    public func makeStale() async -> Bool {
        guard let current = try? await self.manager.token(for: self.provider) else { return false }
        self.manager.reportRejected(current, for: self.provider)
        return true
    }

    /// `count` callers, each a task of its own asking for the token; returns when all have an answer.
    public func callers(count: Int, immediate: Bool) async {
        let (manager, provider) = (self.manager, self.provider)
        await runCallers(count: count, immediate: immediate) { _ = try? await manager.token(for: provider) }
    }
}
