import Clocks
import Logging
import MetricsTestKit
import OAuthTopTestKit
import Primitives
import Testing
@testable import TokenManager

/// A coordinator that always offers the same fleet token.
private final class OfferingCoordinator: RefreshCoordinator {
    let offer: FleetToken
    init(_ offer: FleetToken) { self.offer = offer }
    func attach(events: @escaping @Sendable (TokenEvent) -> Void) {}
    func coordinate(
        _ request: CoordinationRequest,
        refresh: @Sendable (CoordinationLease) async -> LocalRefreshResult
    ) async -> CoordinationOutcome {
        .adopt(self.offer, .newer)
    }
    func newerToken(than request: CoordinationRequest) async -> FleetToken? { nil }
    func lockHolder(provider: String) -> LockHolder? { nil }
}

@Suite("Token validation: tokens adopted from the fleet")
struct FleetValidationTests {
    static func run(offering accessToken: String, issued: String) async throws
        -> (token: AccessToken, events: EventRecorder, metrics: TestMetrics, requests: Int)
    {
        let clock = WallClock(ImmediateClock())
        let now = clock.now()
        let offer = FleetToken(
            accessToken: Secret(accessToken), tokenType: "Bearer", expiresAt: now + 300_000_000_000, issuedAt: now,
            refreshToken: nil, generation: 7, refreshedBy: "other-host"
        )
        let transport = ScriptedTransport([.token(issued, expiresIn: 300)])
        let validation = TokenValidation(
            format: .jwt, signature: SignatureCheck(algorithms: [], sharedSecret: Secret(ValidationKeys.sharedSecret))
        )
        let configuration = ProviderConfiguration(
            name: "fleet", grant: .clientCredentials, tokenEndpoints: ["https://idp.test/token"], clientID: "c",
            clientSecret: Secret("s"), validation: validation
        )
        let metrics = TestMetrics()
        let events = EventRecorder()
        let manager = OAuthTokenManager(
            providers: [configuration], transport: transport, clock: clock, random: .fixed(0.5),
            metricsFactory: metrics, coordinator: OfferingCoordinator(offer), logger: Logger(label: "test")
        )
        manager.subscribe { events.record($0) }
        let token = try await manager.token(for: "fleet")
        return (token, events, metrics, transport.sent.count)
    }

    @Test("a refused fleet token is discarded (counted, reported) and this process refreshes for itself")
    func refused() async throws {
        let keys = try await ValidationKeys()
        let now = WallClock.system.now() / 1_000_000_000
        let good = try await keys.hs256(TestClaims(exp: Double(now + 300), iat: Double(now)))
        let result = try await Self.run(offering: "corrupted-fleet-entry", issued: good)
        #expect(result.token.value.revealed == good)
        #expect(result.requests == 1)
        let rejected = result.events.kinds(.tokenRejected)
        #expect(rejected.map { $0.string("source") } == ["fleet"])
        #expect(rejected.first?.string("check") == "structure")
        #expect(result.events.kinds(.tokenAdopted).isEmpty)
        #expect(
            result.metrics.counterTotal(
                label: OAuthMetricNames.refreshFailures,
                dimensions: [("provider", "fleet"), ("reason", "invalid_token"), ("check", "structure")]
            ) == 1
        )
    }

    @Test("a valid fleet token is adopted without a request")
    func adopted() async throws {
        let keys = try await ValidationKeys()
        let now = WallClock.system.now() / 1_000_000_000
        let fleet = try await keys.hs256(TestClaims(exp: Double(now + 300), iat: Double(now)))
        let result = try await Self.run(offering: fleet, issued: "unused")
        #expect(result.token.value.revealed == fleet)
        #expect(result.requests == 0)
        #expect(result.events.kinds(.tokenRejected).isEmpty)
        #expect(result.events.kinds(.tokenAdopted).count == 1)
    }
}
