import Clocks
import DemoIdentityProvider
import Foundation
import Logging
import OAuthTopTestKit
import Primitives
import Testing
@testable import TokenManager

/// A demo identity provider signing RS256, with its JWKS, metadata and introspection, for one test.
struct ValidatingIdentityProvider: Sendable {
    let running: RunningIdentityProvider
    /// `http://127.0.0.1:PORT` of the primary endpoint: the issuer when discovery is tested.
    let base: String

    var provider: DemoIdentityProvider { self.running.provider }
    var jwksURL: String { self.base + self.provider.configuration.jwksPath }
    var introspectionURL: String { self.base + self.provider.configuration.introspectionPath }
}

/// Runs an RS256 demo identity provider whose issuer is its primary endpoint's base URL (so discovery
/// works) and whose tokens carry `aud: validation-tests`.
func withValidatingIdentityProvider<T: Sendable>(
    schedule: FaultSchedule = .none,
    _ body: @Sendable (ValidatingIdentityProvider) async throws -> T
) async throws -> T {
    // The issuer names the port, so the port is chosen before the provider binds it; another test
    // can take it in between. A bind failure happens before `body` runs, so another port is safe.
    var attempt = 1
    while true {
        do {
            return try await withValidatingIdentityProvider(port: try freeLoopbackPort(), schedule: schedule, body)
        } catch let error as DemoIdentityProviderError where error == .bindFailed("") && attempt < 5 {
            attempt += 1
        }
    }
}

private func withValidatingIdentityProvider<T: Sendable>(
    port: Int,
    schedule: FaultSchedule,
    _ body: @Sendable (ValidatingIdentityProvider) async throws -> T
) async throws -> T {
    let base = "http://127.0.0.1:\(port)"
    var configuration = DemoIdentityProviderConfiguration(
        endpoints: [DemoEndpointSpec(name: "primary", port: port)],
        clients: [DemoClient(id: IntegrationCredentials.clientID, secret: IntegrationCredentials.clientSecret)],
        signing: try .rs256GeneratedKey(),
        issuer: base
    )
    configuration.audience = ValidationIntegrationTests.audience
    let provider = DemoIdentityProvider(
        configuration: configuration, schedule: schedule,
        logger: Logger(label: "demo-idp") { _ in SwiftLogNoOpLogHandler() }
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await provider.run() }
        let outcome: Result<T, any Error>
        do {
            let endpoints = try await provider.waitUntilListening(timeout: .seconds(30))
            let running = RunningIdentityProvider(provider: provider, endpoints: endpoints)
            outcome = .success(try await body(ValidatingIdentityProvider(running: running, base: base)))
        } catch {
            outcome = .failure(error)
        }
        group.cancelAll()
        try await group.waitForAll()
        return try outcome.get()
    }
}

/// Tokens checked before use, against the demo identity provider over real HTTP: each bad kind of token
/// it can issue is refused with its check (metric label and event), and the refresh that follows succeeds.
@Suite("Token validation against the demo identity provider (real HTTP)", .serialized)
struct ValidationIntegrationTests {
    static let audience = "validation-tests"
    static let name = IntegrationCredentials.providerName

    static func configuration(
        _ idp: ValidatingIdentityProvider,
        validation: TokenValidation
    ) throws -> ProviderConfiguration {
        var configuration = try integrationProvider(
            idp.running, retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50))
        )
        configuration.validation = validation
        return configuration
    }

    static func fullValidation(_ idp: ValidatingIdentityProvider, jwks: Bool = true) -> TokenValidation {
        TokenValidation(
            format: .jwt,
            signature: SignatureCheck(jwksURL: jwks ? idp.jwksURL : nil),
            issuer: idp.base,
            audiences: [Self.audience]
        )
    }

    static func invalidTokens(_ fixture: ManagerFixture, check: String) -> Int64 {
        fixture.metrics.counterTotal(
            label: OAuthMetricNames.refreshFailures,
            dimensions: [("provider", Self.name), ("reason", "invalid_token"), ("check", check)]
        )
    }

    /// Whether `token` passes the full validation now (a fresh validator, so no cached state helps).
    static func passes(_ token: AccessToken, _ idp: ValidatingIdentityProvider) async throws -> Bool {
        let configuration = try Self.configuration(idp, validation: Self.fullValidation(idp))
        let transport = HTTPClientTransport()
        defer { Task { await transport.shutdown() } }
        let validator = TokenValidator(
            configuration: configuration, validation: Self.fullValidation(idp), transport: transport
        )
        do {
            _ = try await validator.validate(token.value, now: WallClock.system.now())
            return true
        } catch {
            return false
        }
    }

    @Test("each bad token is refused with its check, and the refresh that follows succeeds", arguments: [
        (BadAccessToken.expired, "expired"), (.notYetValid, "not_yet_valid"), (.badSignature, "signature"),
        (.unknownKid, "unknown_kid"), (.wrongIssuer, "issuer"), (.wrongAudience, "audience"),
        (.truncated, "structure"), (.notBase64, "structure"), (.algNone, "algorithm"),
    ])
    func badToken(kind: BadAccessToken, check: String) async throws {
        let schedule = FaultSchedule(faults: [Fault(kind: .badToken(kind), count: 1)])
        try await withValidatingIdentityProvider(schedule: schedule) { idp in
            let configuration = try Self.configuration(idp, validation: Self.fullValidation(idp))
            let refreshToken = try #require(configuration.refreshToken)
            try await withManager(configuration, clock: WallClock(ImmediateClock())) { fixture in
                let token = try await fixture.manager.token(for: fixture.provider)
                #expect(try await Self.passes(token, idp), "the token handed out is the good one")

                let rejected = fixture.events.kinds(.tokenRejected)
                #expect(rejected.count == 1)
                #expect(rejected.first?.string("check") == check)
                #expect(rejected.first?.string("source") == "refresh")
                #expect(rejected.first?.severity == .warning)
                #expect(Self.invalidTokens(fixture, check: check) == 1)
                #expect(fixture.attempts(try idp.running.url("primary"), "invalid_token") == 1)
                #expect(fixture.events.kinds(.refreshSucceeded).count == 1)
                #expect(idp.provider.statistics().accessTokensIssued == 2, "one bad token, then a good one")
                // The bad response rotated the refresh token; the retry used the new one (the old is gone).
                #expect(fixture.events.kinds(.attemptFailed).allSatisfy { $0.string("outcome") == "invalid_token" })
                expectNoSecrets(fixture, secrets: [refreshToken.revealed, token.value.revealed])
            }
        }
    }

    @Test("a provider that issues only bad tokens is retried with backoff, then the breaker opens")
    func onlyBadTokens() async throws {
        let schedule = FaultSchedule(faults: [Fault(kind: .badToken(.expired))])
        try await withValidatingIdentityProvider(schedule: schedule) { idp in
            var configuration = try Self.configuration(idp, validation: Self.fullValidation(idp))
            configuration.breaker = BreakerPolicy(failureThreshold: 2, coolDown: .seconds(600))
            let clock = SleepRecordingClock(ImmediateClock())
            try await withManager(configuration, clock: WallClock(clock)) { fixture in
                for _ in 0..<2 {
                    await #expect(throws: TokenRefreshError.self) { try await fixture.manager.token(for: fixture.provider) }
                }
                let refused = await #expect(throws: TokenRefreshError.self) {
                    try await fixture.manager.token(for: fixture.provider)
                }
                #expect(refused?.isBreakerOpen == true)
                #expect(idp.running.requests == 6, "3 attempts per round, 2 rounds, none while open")
                #expect(Self.invalidTokens(fixture, check: "expired") == 6)
                #expect(
                    fixture.metrics.counterTotal(
                        label: OAuthMetricNames.refreshFailures, dimensions: [("provider", Self.name), ("reason", "invalid_token")]
                    ) == 6,
                    "a round that ends on refused tokens is not counted a second time"
                )
                #expect(clock.sleeps.filter { $0 > .zero }.count >= 2, "the retries backed off")
            }
        }
    }

    @Test("keys are discovered from the issuer's RFC 8414 metadata; a rotated key is fetched after an unknown kid")
    func discoveryAndRotation() async throws {
        try await withValidatingIdentityProvider { idp in
            var validation = Self.fullValidation(idp, jwks: false)
            validation.signature?.minimumRefetchInterval = .zero
            let configuration = try Self.configuration(idp, validation: validation)
            try await withManager(configuration, clock: WallClock(ImmediateClock())) { fixture in
                _ = try await fixture.manager.token(for: fixture.provider)
                var statistics = idp.provider.statistics()
                #expect(statistics.metadataRequests == 1)
                #expect(statistics.jwksRequests == 1)

                let kid = try await idp.provider.rotateSigningKey()
                #expect(kid != DemoSigning.keyID)
                let rotated = try await fixture.manager.refresh(fixture.provider)
                statistics = idp.provider.statistics()
                #expect(statistics.jwksRequests == 2, "one refetch for the new kid")
                #expect(statistics.metadataRequests == 1, "metadata is kept")
                #expect(try await Self.passes(rotated, idp))
                #expect(try CompactJWT.parse(rotated.value.revealed).keyID == kid, "signed with the new key")
                #expect(fixture.events.kinds(.tokenRejected).isEmpty)
            }
        }
    }

    @Test("introspection answering active:false refuses the token; the next token is probed and accepted")
    func introspectionInactive() async throws {
        let schedule = FaultSchedule(faults: [Fault(kind: .inactiveToken, count: 1)])
        try await withValidatingIdentityProvider(schedule: schedule) { idp in
            var validation = Self.fullValidation(idp)
            validation.probe = LiveProbe(target: .introspection(url: nil), minimumInterval: .milliseconds(1))
            let configuration = try Self.configuration(idp, validation: validation)
            try await withManager(configuration, clock: WallClock(ImmediateClock())) { fixture in
                _ = try await fixture.manager.token(for: fixture.provider)
                #expect(fixture.events.kinds(.tokenRejected).map { $0.string("check") } == ["inactive"])
                #expect(Self.invalidTokens(fixture, check: "inactive") == 1)
                #expect(idp.provider.statistics().introspectionRequests == 2)
            }
        }
    }

    @Test("a bad token in the store is discarded at start (counted, reported) and a refresh follows; a good one is kept")
    func restore() async throws {
        try await withValidatingIdentityProvider { idp in
            let configuration = try Self.configuration(idp, validation: Self.fullValidation(idp))
            try await withTemporaryDirectory { directory in
                let store = FileTokenStore(path: directory + "/tokens.json")
                let now = WallClock.system.now()
                func stored(_ token: String) -> StoredToken {
                    StoredToken(
                        accessToken: token, tokenType: "Bearer", expiresAtNanos: now + 3_600_000_000_000,
                        obtainedAtNanos: now, lifetimeNanos: 3_600_000_000_000, endpoint: "stored", scope: nil,
                        refreshToken: nil, refreshTokenSeed: nil
                    )
                }
                try store.save([Self.name: stored("eyJhbGciOiJSUzI1NiJ9.corrupted%%.entry")])
                let good = try await withManager(configuration, clock: WallClock(ImmediateClock()), store: store) {
                    fixture in
                    fixture.manager.restore()
                    #expect(fixture.manager.cachedToken(for: fixture.provider) == nil, "not handed out before it is checked")
                    let token = try await fixture.manager.token(for: fixture.provider)
                    let rejected = fixture.events.kinds(.tokenRejected)
                    #expect(rejected.map { $0.string("source") } == ["store"])
                    #expect(rejected.first?.string("check") == "structure")
                    #expect(Self.invalidTokens(fixture, check: "structure") == 1)
                    #expect(idp.provider.statistics().accessTokensIssued == 1)
                    return token
                }
                // A valid stored token is checked and kept: no token request.
                try store.save([Self.name: stored(good.value.revealed)])
                try await withManager(configuration, clock: WallClock(ImmediateClock()), store: store) { fixture in
                    fixture.manager.restore()
                    let token = try await fixture.manager.token(for: fixture.provider)
                    #expect(token.value == good.value)
                    #expect(fixture.events.kinds(.tokenRejected).isEmpty)
                    #expect(idp.provider.statistics().accessTokensIssued == 1)
                }
            }
        }
    }
}
