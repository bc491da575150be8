import Clocks
import Logging
import MetricsTestKit
import OAuthTopTestKit
import Testing

@testable import TokenManager

/// The counters whose labels are known at start exist at 0 before any request (Prometheus's instrumentation
/// guidance), so the first increase of each is seen by `rate` and `increase`.
@Suite("Counters created at 0")
struct CountersAtZeroTests {
    static let endpoints = ["http://a.test/token", "http://b.test/token"]

    @Test("attempts per endpoint and known outcome, rate limits, conflicts, expiries and fallback methods")
    func createdAtStart() throws {
        let metrics = TestMetrics()
        let provider = ProviderConfiguration(
            name: "p", grant: .clientCredentials, tokenEndpoints: Self.endpoints, clientID: "client",
            clientSecret: Secret("client-secret-123"),
            fallback: [.alternateProvider("q"), .emergencyKey(Secret("emergency-key-1"), maxDuration: .seconds(60))]
        )
        let other = ProviderConfiguration(
            name: "q", grant: .clientCredentials, tokenEndpoints: ["http://c.test/token"], clientID: "client",
            clientSecret: Secret("client-secret-456")
        )
        _ = OAuthTokenManager(
            providers: [provider, other], transport: ScriptedTransport([]),
            clock: WallClock(ImmediateClock(), wallOriginNanos: 1_700_000_000_000_000_000),
            metricsFactory: metrics, logger: Logger(label: "test")
        )
        for endpoint in Self.endpoints {
            for outcome in ProviderMetrics.knownOutcomes {
                let counter = try metrics.expectCounter(
                    OAuthMetricNames.refreshAttempts, [("provider", "p"), ("endpoint", endpoint), ("outcome", outcome)])
                #expect(counter.totalValue == 0)
            }
            let limited = try metrics.expectCounter(
                OAuthMetricNames.rateLimited, [("provider", "p"), ("endpoint", endpoint)])
            #expect(limited.totalValue == 0)
        }
        #expect(metrics.counters(label: OAuthMetricNames.refreshAttempts, dimensions: [("provider", "q")]).count
            == ProviderMetrics.knownOutcomes.count)
        for provider in ["p", "q"] {
            #expect(
                try metrics.expectCounter(OAuthMetricNames.refreshConflicts, [("provider", provider)]).totalValue == 0)
            #expect(
                try metrics.expectCounter(OAuthMetricNames.tokenExpiredDuringTask, [("provider", provider)]).totalValue
                    == 0)
        }
        for method in ["alternate_provider", "emergency_key"] {
            let used = try metrics.expectCounter(
                OAuthMetricNames.fallbackAuthUsed, [("provider", "p"), ("method", method)])
            #expect(used.totalValue == 0)
        }
        #expect(metrics.counters(label: OAuthMetricNames.fallbackAuthUsed, dimensions: [("provider", "q")]).isEmpty)
        // Failures by reason are open-ended: they appear on first use.
        #expect(metrics.counters(label: OAuthMetricNames.refreshFailures).isEmpty)
    }
}
