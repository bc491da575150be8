import Clocks
import MetricsTestKit
import OAuthTopTestKit
import Testing

@testable import TokenManager

@Suite("Expiry gauges: seconds left and the absolute expiration timestamp")
struct ExpiryGaugeTests {
    static let origin: Int64 = 1_700_000_000

    @Test("expires_in goes negative once the held token expired; the timestamp stays the token's expiry")
    func expiryGauges() async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport([.token("t1", expiresIn: 100)])
        let metrics = TestMetrics()
        let manager = SessionBehaviourTests.manager(transport, clock: clock, metrics: metrics)
        _ = try await manager.token(for: "p")
        let dimensions = [("provider", "p")]
        let timestamp = try metrics.expectGauge(OAuthMetricNames.tokenExpirationTimestamp, dimensions)
        let expiresIn = try metrics.expectGauge(OAuthMetricNames.tokenExpiresIn, dimensions)
        let expiry = try #require(timestamp.lastValue)
        #expect(abs(expiry - Double(Self.origin + 100)) < 1, "Unix seconds of the token's expiry")
        #expect(abs((expiresIn.lastValue ?? 0) - 100) < 1)

        try await clock.sleep(for: .seconds(150))  // no refresher runs: the expired token is still held
        manager.publishGauges()
        #expect(abs((expiresIn.lastValue ?? 0) - -50) < 1, "negative once expired, never clamped to zero")
        #expect(timestamp.lastValue == expiry)
    }

    @Test("both expiry families are described, with help, in the one list")
    func described() {
        let expiry = OAuthMetricNames.all.filter { $0.name.hasPrefix("oauth_token_expir") && $0.type == .gauge }
        #expect(expiry.map(\.name) == ["oauth_token_expires_in_seconds", "oauth_token_expiration_timestamp_seconds"])
        #expect(expiry.allSatisfy { !$0.help.isEmpty })
    }
}
