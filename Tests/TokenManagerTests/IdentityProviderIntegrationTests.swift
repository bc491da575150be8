import Clocks
import DemoIdentityProvider
import Foundation
import OAuthTopTestKit
import Testing
import TokenManager

/// The behaviours of `SessionBehaviourTests`, against the real demo identity provider over HTTP
/// with the real AsyncHTTPClient transport. Time the manager waits (backoff, `Retry-After`,
/// breaker cool-downs) runs on an injected clock; only HTTP timeouts take real time.
///
/// Serialized: the tests hold real sockets and timeouts, and share two cores with other suites.
@Suite("Manager against the demo identity provider (real HTTP)", .serialized)
struct IdentityProviderIntegrationTests {
    private static let name = IntegrationCredentials.providerName
    private static let secret = IntegrationCredentials.clientSecret

    /// `callers` concurrent `token(for:)` calls; their tokens in arrival order.
    private static func concurrentTokens(_ fixture: ManagerFixture, callers: Int) async throws -> [Secret] {
        try await withThrowingTaskGroup(of: Secret.self) { group in
            for _ in 0..<callers {
                group.addTask { try await fixture.manager.token(for: fixture.provider).value }
            }
            var tokens: [Secret] = []
            for try await token in group { tokens.append(token) }
            return tokens
        }
    }

    // MARK: 1. Single-flight

    @Test("200 concurrent callers share one request; a rejected token is replaced by exactly one more")
    func singleFlight() async throws {
        // The latency holds the round in flight long enough for every caller to join it.
        try await withIdentityProvider(baseLatency: .milliseconds(300)) { idp in
            let refreshToken = idp.issueRefreshToken()
            // One patient step: what is counted here is requests, and a 5 s first step can run out on a loaded
            // 2-core machine while the whole suite starts (then the retry meets a rotated refresh token).
            let configuration = try integrationProvider(
                idp, refreshToken: refreshToken,
                timeouts: TimeoutLadder(steps: [TimeoutStep(connect: .seconds(10), total: .seconds(60))])
            )
            try await withManager(configuration, clock: WallClock(ImmediateClock())) { fixture in
                let first = try await Self.concurrentTokens(fixture, callers: 200)
                #expect(first.count == 200)
                #expect(Set(first).count == 1, "every caller got the same token")
                #expect(idp.requests == 1, "exactly one request reached the identity provider")
                #expect(fixture.metrics.counterTotal(label: OAuthMetricNames.refreshConflicts) == 199)

                let current = try await fixture.manager.token(for: fixture.provider)
                #expect(current.value == first.first)
                #expect(idp.requests == 1, "a cached token costs no request")

                fixture.manager.reportRejected(current, for: fixture.provider)
                let second = try await Self.concurrentTokens(fixture, callers: 50)
                #expect(Set(second).count == 1)
                #expect(second.first != current.value, "the rejected token is not handed out again")
                #expect(idp.requests == 2, "exactly one more request after the rejection")
                #expect(fixture.metrics.counterTotal(label: OAuthMetricNames.refreshConflicts) == 199 + 49)
                expectNoSecrets(
                    fixture, secrets: [Self.secret, refreshToken] + (first + second).map(\.revealed)
                )
            }
        }
    }

    // MARK: 2. Failover

    @Test("a refused primary fails over to the secondary at once")
    func failover() async throws {
        let outage = Fault(kind: .outage, start: .zero, end: .seconds(300), endpoints: ["primary"])
        try await withIdentityProvider(schedule: FaultSchedule(faults: [outage])) { idp in
            #expect(try await idp.waitUntilRefused("primary"), "the outage closed the primary's listener")
            let primary = try idp.url("primary")
            let secondary = try idp.url("secondary")
            let configuration = try integrationProvider(idp)
            try await withManager(configuration, clock: WallClock(ImmediateClock())) { fixture in
                let token = try await fixture.manager.token(for: fixture.provider)
                let snapshot = try #require(fixture.manager.snapshot().first)
                #expect(snapshot.endpoint == secondary)
                #expect(snapshot.tokenFingerprint == token.value.fingerprint)

                let statistics = idp.provider.statistics()
                #expect(statistics[endpoint: "primary"].requests == 0)
                #expect(statistics[endpoint: "secondary"].requests == 1)
                #expect(statistics[endpoint: "secondary"].issued == 1)

                #expect(fixture.attempts(primary, "connection_refused") == 1, "a refused connection is not retried")
                #expect(fixture.attempts(secondary, "success") == 1)

                let failovers = fixture.events.kinds(.failover)
                #expect(failovers.count == 1)
                #expect(failovers.first?.string("from") == primary)
                #expect(failovers.first?.string("to") == secondary)
                #expect(failovers.first?.string("reason") == "connection_refused")
                #expect(fixture.events.kinds(.retry).isEmpty)
                expectNoSecrets(fixture, secrets: [Self.secret, token.value.revealed])
            }
        }
    }

    // MARK: 3. Timeout ladder

    @Test("timed-out attempts climb the ladder at once; the patient step gets the token")
    func timeoutLadder() async throws {
        // The first three requests are answered after 1.5 s: the quick (0.3 s) and standard
        // (0.6 s) steps time out, the patient one (3 s) waits long enough. HTTP timeouts are
        // real time, so this test takes about 2.5 s; only lower bounds are asserted.
        let slow = Fault(kind: .slow(delay: .milliseconds(1500)), count: 3)
        try await withIdentityProvider(endpoints: ["primary"], schedule: FaultSchedule(faults: [slow])) { idp in
            let ladder = TimeoutLadder(steps: [
                TimeoutStep(connect: .milliseconds(200), total: .milliseconds(300)),
                TimeoutStep(connect: .milliseconds(400), total: .milliseconds(600)),
                TimeoutStep(connect: .seconds(1), total: .seconds(3)),
            ])
            // client_credentials: a timed-out refresh_token request is still processed by the
            // provider later and would rotate the refresh token under the retries' feet.
            let configuration = try integrationProvider(idp, grant: .clientCredentials, timeouts: ladder)
            let primary = try idp.url("primary")
            let clock = ImmediateClock()
            try await withManager(configuration, clock: WallClock(clock)) { fixture in
                let start = clock.now
                let token = try await fixture.manager.token(for: fixture.provider)

                let failed = fixture.events.kinds(.attemptFailed)
                #expect(failed.map { $0.string("outcome") } == ["timeout", "timeout"])
                #expect(failed.map { $0.number("attempt") } == [1, 2])
                #expect(failed.map { $0.number("timeout_ms") } == [300, 600])
                #expect(failed.allSatisfy { ($0.number("duration_ms") ?? 0) >= 0 })
                let retries = fixture.events.kinds(.retry)
                #expect(retries.map { $0.number("attempt") } == [2, 3])
                #expect(retries.map { $0.number("backoff_ms") } == [0, 0], "a timeout is retried without backoff")
                #expect(start.duration(to: clock.now) == .zero, "no virtual time passed: no backoff slept")
                #expect(fixture.events.kinds(.refreshSucceeded).count == 1)

                #expect(fixture.attempts(primary, "timeout") == 2)
                #expect(fixture.attempts(primary, "success") == 1)
                let statistics = idp.provider.statistics()
                #expect(statistics.total.requests == 3)
                #expect(statistics.total.slowed == 3)
                expectNoSecrets(fixture, secrets: [Self.secret, token.value.revealed])
            }
        }
    }

    @Test("a refresh_token request abandoned on timeout: a lost rotation, said so, unless the provider allows reuse")
    func timeoutWithRotation() async throws {
        // The provider still answers the abandoned first request 1.5 s later, rotating the refresh
        // token; a retry presenting the retired token gets invalid_grant. A strict provider makes
        // that final, reported as a lost rotation (not a revoked grant); a provider with a reuse
        // interval (Auth0, Okta) accepts the retry.
        let ladder = TimeoutLadder(steps: [
            TimeoutStep(connect: .milliseconds(200), total: .milliseconds(300)),
            TimeoutStep(connect: .milliseconds(400), total: .milliseconds(600)),
            TimeoutStep(connect: .seconds(1), total: .seconds(3)),
        ])
        // Every attempt is slowed: attempt 1 times out but is processed at 1.5 s, rotating the
        // token; attempt 3 (patient, 3 s) is processed at about 2.4 s with the retired token.
        let slow = Fault(kind: .slow(delay: .milliseconds(1500)), count: 3)
        try await withIdentityProvider(endpoints: ["primary"], schedule: FaultSchedule(faults: [slow])) { idp in
            let refreshToken = idp.issueRefreshToken()
            let configuration = try integrationProvider(idp, refreshToken: refreshToken, timeouts: ladder)
            try await withManager(configuration, clock: WallClock(ImmediateClock())) { fixture in
                let error = await #expect(throws: TokenRefreshError.self) {
                    _ = try await fixture.manager.token(for: fixture.provider)
                }
                #expect(error?.code == .rotationLost)
                #expect(error?.reason == "rotation_lost")
                let failed = fixture.events.kinds(.refreshFailed)
                #expect(failed.count == 1)
                if let message = failed.first?.string("error") {
                    #expect(message.contains("invalid_grant") && message.contains("rotation lost"), "\(message)")
                    #expect(!message.contains("revoked"), "\(message)")
                }
                expectNoSecrets(fixture, errors: error.map { [$0] } ?? [], secrets: [Self.secret, refreshToken])
            }
        }
        try await withIdentityProvider(
            endpoints: ["primary"], schedule: FaultSchedule(faults: [slow]), refreshTokenReuseInterval: .seconds(30)
        ) { idp in
            let refreshToken = idp.issueRefreshToken()
            let configuration = try integrationProvider(idp, refreshToken: refreshToken, timeouts: ladder)
            try await withManager(configuration, clock: WallClock(ImmediateClock())) { fixture in
                _ = try await fixture.manager.token(for: fixture.provider)
                #expect(fixture.events.kinds(.refreshSucceeded).count == 1)
                expectNoSecrets(fixture, secrets: [Self.secret, refreshToken])
            }
        }
    }

    // MARK: 4. invalid_grant

    @Test("a revoked refresh token is final: one request, no retry, no failover, no request on the next call")
    func invalidGrant() async throws {
        try await withIdentityProvider { idp in
            let refreshToken = idp.issueRefreshToken()
            idp.provider.revokeAllRefreshTokens()
            let configuration = try integrationProvider(idp, refreshToken: refreshToken)
            try await withManager(configuration, clock: WallClock(ImmediateClock())) { fixture in
                let error = await #expect(throws: TokenRefreshError.self) {
                    try await fixture.manager.token(for: fixture.provider)
                }
                #expect(error?.isFinal == true)
                #expect(error?.reason == "invalid_grant")
                #expect(error?.description.contains("invalid_grant") == true)
                #expect(idp.requests == 1, "no retry on the same endpoint and no failover")
                #expect(idp.provider.statistics().total.invalidGrant == 1)

                let again = await #expect(throws: TokenRefreshError.self) {
                    try await fixture.manager.token(for: fixture.provider)
                }
                #expect(again?.isFinal == true)
                #expect(again?.reason == "invalid_grant")
                #expect(idp.requests == 1, "a revoked grant is reported, not hammered")
                #expect(fixture.manager.snapshot().first?.needsIntervention == true)
                #expect(
                    fixture.metrics.counterTotal(
                        label: OAuthMetricNames.refreshFailures,
                        dimensions: [("provider", Self.name), ("reason", "invalid_grant")]
                    ) == 1
                )

                // The manager has no API to take a new refresh token; a manual refresh clears the
                // final state and asks exactly once more, and the revoked grant is refused again.
                let manual = await #expect(throws: TokenRefreshError.self) {
                    try await fixture.manager.refresh(fixture.provider)
                }
                #expect(manual?.isFinal == true)
                #expect(idp.requests == 2)
                expectNoSecrets(
                    fixture, errors: [error, again, manual].compactMap { $0 }, secrets: [Self.secret, refreshToken]
                )
            }
        }
    }

    // MARK: 5. Retry-After

    enum RetryAfterForm: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case seconds, httpDate
        var testDescription: String { self.rawValue }
    }

    @Test("a 429 is retried on the same endpoint no sooner than Retry-After, on the manager's clock",
          arguments: RetryAfterForm.allCases)
    func retryAfter(form: RetryAfterForm) async throws {
        let limit = Fault(
            kind: .rateLimit(retryAfter: .seconds(7), status: 429, httpDate: form == .httpDate), count: 1
        )
        try await withIdentityProvider(schedule: FaultSchedule(faults: [limit])) { idp in
            let configuration = try integrationProvider(idp)
            let clock = ImmediateClock()
            try await withManager(configuration, clock: WallClock(clock)) { fixture in
                let start = clock.now
                let token = try await fixture.manager.token(for: fixture.provider)
                let elapsed = start.duration(to: clock.now)

                let event = try #require(fixture.events.kinds(.rateLimited).first)
                let retryAfterMilliseconds = try #require(event.number("retry_after_ms"))
                switch form {
                case .seconds:
                    #expect(retryAfterMilliseconds == 7000)
                case .httpDate:
                    // An HTTP date has one-second resolution, measured against the response's `Date`.
                    #expect((6000...8000).contains(retryAfterMilliseconds))
                }
                #expect(elapsed >= .milliseconds(Int64(retryAfterMilliseconds)), "the wait was honoured")
                if form == .seconds { #expect(elapsed >= .seconds(7)) }

                #expect(fixture.metrics.counterTotal(label: OAuthMetricNames.rateLimited) == 1)
                let statistics = idp.provider.statistics()
                #expect(statistics.total.requests == 2)
                #expect(statistics[endpoint: "primary"].requests == 2, "a rate limit is waited out, not failed over")
                #expect(statistics.total.rateLimited == 1)
                #expect(statistics.total.issued == 1)
                expectNoSecrets(fixture, secrets: [Self.secret, token.value.revealed])
            }
        }
    }

    @Test("a Retry-After beyond the limit ends the round and no request goes out before it")
    func retryAfterBeyondLimit() async throws {
        let limit = Fault(kind: .rateLimit(retryAfter: .seconds(600), status: 429, httpDate: false), count: 1)
        try await withIdentityProvider(schedule: FaultSchedule(faults: [limit])) { idp in
            let configuration = try integrationProvider(idp)
            #expect(configuration.retry.maxRetryAfter == .seconds(120))
            let clock = ImmediateClock()
            try await withManager(configuration, clock: WallClock(clock)) { fixture in
                let start = clock.now
                let error = await #expect(throws: TokenRefreshError.self) {
                    try await fixture.manager.token(for: fixture.provider)
                }
                #expect(error?.isRateLimited == true)
                #expect(error?.notBefore != nil)
                #expect(idp.requests == 1, "the round ended instead of waiting 600 s")

                let gated = await #expect(throws: TokenRefreshError.self) {
                    try await fixture.manager.token(for: fixture.provider)
                }
                #expect(gated?.isRateLimited == true)
                #expect(idp.requests == 1, "no request before Retry-After")

                // Once the rest of the wait fits the limit, a round starts and sleeps out the remainder.
                try await clock.sleep(for: .seconds(500))
                let token = try await fixture.manager.token(for: fixture.provider)
                #expect(start.duration(to: clock.now) >= .seconds(600))
                #expect(idp.requests == 2)
                expectNoSecrets(
                    fixture, errors: [error, gated].compactMap { $0 }, secrets: [Self.secret, token.value.revealed]
                )
            }
        }
    }

    // MARK: 6. Circuit breaker

    @Test("failed rounds open the breaker; it refuses without requests, half-opens after the cool-down, closes")
    func breaker() async throws {
        let errors = Fault(kind: .httpError(status: 500), count: 2)
        try await withIdentityProvider(endpoints: ["primary"], schedule: FaultSchedule(faults: [errors])) { idp in
            let configuration = try integrationProvider(
                idp,
                retry: RetryPolicy(maxAttempts: 1),
                breaker: BreakerPolicy(failureThreshold: 2, coolDown: .seconds(30))
            )
            let primary = try idp.url("primary")
            let clock = ImmediateClock()
            try await withManager(configuration, clock: WallClock(clock)) { fixture in
                var failures: [TokenRefreshError] = []
                for round in 1...2 {
                    let error = await #expect(throws: TokenRefreshError.self) {
                        try await fixture.manager.token(for: fixture.provider)
                    }
                    #expect(error?.reason == "server_error", "round \(round)")
                    #expect(error?.isBreakerOpen == false, "round \(round)")
                    failures += [error].compactMap { $0 }
                }
                #expect(idp.requests == 2)
                #expect(try fixture.breakerGauge() == 2)

                let refused = await #expect(throws: TokenRefreshError.self) {
                    try await fixture.manager.token(for: fixture.provider)
                }
                #expect(refused?.isBreakerOpen == true)
                #expect(refused?.description.contains("HTTP 500") == true, "the refusal names the last error")
                #expect(idp.requests == 2, "no request leaves the process while the breaker is open")

                try await clock.sleep(for: .seconds(30))
                let token = try await fixture.manager.token(for: fixture.provider)
                #expect(idp.requests == 3, "exactly one probe")
                #expect(fixture.events.breakerStates == ["open", "half_open", "closed"])
                #expect(try fixture.breakerGauge() == 0)
                #expect(fixture.attempts(primary, "http_500") == 2)
                #expect(fixture.attempts(primary, "success") == 1)
                expectNoSecrets(
                    fixture, errors: failures + [refused].compactMap { $0 },
                    secrets: [Self.secret, token.value.revealed]
                )
            }
        }
    }

    // MARK: 7. Token store

    @Test("the store keeps the rotated refresh token in a 0600 file and a new manager serves from it")
    func tokenStore() async throws {
        try await withTemporaryDirectory { directory in
            try await withIdentityProvider { idp in
                let path = directory + "/state/tokens.json"
                let store = FileTokenStore(path: path)
                let refreshToken = idp.issueRefreshToken()
                let configuration = try integrationProvider(idp, refreshToken: refreshToken)

                let first = try await withManager(configuration, clock: WallClock(ImmediateClock()), store: store) {
                    fixture in
                    let token = try await fixture.manager.token(for: fixture.provider)
                    // A successful round writes the store on its own; wait for that, then write again.
                    #expect(await eventually { FileManager.default.fileExists(atPath: path) })
                    fixture.manager.persist()
                    expectNoSecrets(fixture, secrets: [Self.secret, refreshToken, token.value.revealed])
                    return token
                }
                #expect(permissions(ofFile: path) == 0o600)
                let data = try #require(FileManager.default.contents(atPath: path))
                let file = try JSONDecoder().decode(TokenStoreFile.self, from: data)
                #expect(file.version == 1)
                let stored = try #require(file.providers[Self.name])
                #expect(Secret(stored.accessToken) == first.value)
                let rotated = try #require(stored.refreshToken)
                #expect(Secret(rotated) != Secret(refreshToken), "the store holds the rotated refresh token")
                #expect(stored.refreshTokenSeed == Secret(refreshToken).fingerprint)

                // A new manager with the same store serves the stored token without a request,
                // and its next refresh uses the rotated refresh token (the original was rotated away).
                try await withManager(configuration, clock: WallClock(ImmediateClock()), store: store) { fixture in
                    fixture.manager.restore()
                    let loaded = fixture.events.kinds(.storeLoaded)
                    #expect(loaded.count == 1)
                    #expect(loaded.first?["valid_token"] == .bool(true))
                    let token = try await fixture.manager.token(for: fixture.provider)
                    #expect(token.value == first.value)
                    #expect(idp.requests == 1, "the restored token is served with no request")

                    let renewed = try await fixture.manager.refresh(fixture.provider)
                    #expect(renewed.value != first.value)
                    #expect(idp.requests == 2)
                    #expect(idp.provider.statistics().total.invalidGrant == 0)
                    expectNoSecrets(
                        fixture,
                        secrets: [Self.secret, refreshToken, rotated, token.value.revealed, renewed.value.revealed]
                    )
                }
            }
        }
    }

    @Test("a corrupt store is set aside, reported, and the manager still gets a token")
    func corruptStore() async throws {
        try await withTemporaryDirectory { directory in
            try await withIdentityProvider { idp in
                let path = directory + "/tokens.json"
                try Data("{ \"version\": 1, \"providers\": { broken".utf8).write(to: URL(fileURLWithPath: path))
                let configuration = try integrationProvider(idp)
                let store = FileTokenStore(path: path)
                try await withManager(configuration, clock: WallClock(ImmediateClock()), store: store) { fixture in
                    fixture.manager.restore()
                    let corrupt = try #require(fixture.events.kinds(.storeCorrupt).first)
                    #expect(corrupt.string("path") == path)
                    #expect(corrupt.string("problem")?.contains("not valid JSON") == true)
                    let aside = try #require(corrupt.string("moved_to"))
                    #expect(aside.hasPrefix(path + ".corrupt-"))
                    #expect(FileManager.default.fileExists(atPath: aside), "the corrupt file is kept for inspection")
                    #expect(!FileManager.default.fileExists(atPath: path))
                    #expect(fixture.events.kinds(.storeLoaded).isEmpty)

                    let token = try await fixture.manager.token(for: fixture.provider)
                    #expect(idp.requests == 1)
                    #expect(await eventually { FileManager.default.fileExists(atPath: path) }, "a new store is written")
                    expectNoSecrets(fixture, secrets: [Self.secret, token.value.revealed])
                }
            }
        }
    }

    // MARK: 8. Broken token responses

    @Test("every broken 200 response is rejected with an error naming the problem", arguments: BadTokenResponse.all)
    func badResponse(kind: BadTokenResponse) async throws {
        let fault = Fault(kind: .badResponse(kind))
        try await withIdentityProvider(endpoints: ["primary"], schedule: FaultSchedule(faults: [fault])) { idp in
            let refreshToken = idp.issueRefreshToken()
            let configuration = try integrationProvider(
                idp, refreshToken: refreshToken, retry: RetryPolicy(maxAttempts: 1)
            )
            let primary = try idp.url("primary")
            try await withManager(configuration, clock: WallClock(ImmediateClock())) { fixture in
                let error = await #expect(throws: TokenRefreshError.self) {
                    try await fixture.manager.token(for: fixture.provider)
                }
                #expect(error?.description.contains(kind.rawValue) == true, "the error names '\(kind)'")
                #expect(error?.reason == "bad_response")
                #expect(error?.isFinal == false)
                #expect(fixture.attempts(primary, "bad_response") == 1)
                let statistics = idp.provider.statistics()
                #expect(statistics.total.requests == 1)
                #expect(statistics.total.badResponse == 1)
                #expect(fixture.manager.snapshot().first?.phase == .missing)
                let failed = try #require(fixture.events.kinds(.attemptFailed).first)
                #expect(failed.string("detail")?.hasPrefix(kind.rawValue) == true)
                expectNoSecrets(fixture, errors: [error].compactMap { $0 }, secrets: [Self.secret, refreshToken])
            }
        }
    }

    // MARK: 9. Rotation

    @Test("refresh tokens rotate over HTTP: consecutive refreshes each present the newest one")
    func rotation() async throws {
        try await withIdentityProvider { idp in
            let refreshToken = idp.issueRefreshToken()
            let configuration = try integrationProvider(idp, refreshToken: refreshToken)
            try await withManager(configuration, clock: WallClock(ImmediateClock())) { fixture in
                let first = try await fixture.manager.token(for: fixture.provider)
                let second = try await fixture.manager.refresh(fixture.provider)
                let third = try await fixture.manager.refresh(fixture.provider)
                #expect(Set([first.value, second.value, third.value]).count == 3)

                let statistics = idp.provider.statistics()
                #expect(statistics.total.requests == 3)
                #expect(statistics.total.issued == 3)
                #expect(statistics.total.invalidGrant == 0, "the provider refuses a rotated-away token")
                #expect(statistics.refreshTokensIssued == 4, "one issued by the test, three by rotation")
                #expect(!idp.provider.revokeRefreshToken(refreshToken), "the original was retired by rotation")
                let succeeded = fixture.events.kinds(.refreshSucceeded)
                #expect(succeeded.map { $0["rotated_refresh_token"] } == Array(repeating: .bool(true), count: 3))
                expectNoSecrets(
                    fixture,
                    secrets: [Self.secret, refreshToken] + [first, second, third].map(\.value.revealed)
                )
            }
        }
    }

    // MARK: 10. Clock skew

    @Test("a manager whose clock is off by 300 s measures the skew and computes expiry consistently",
          arguments: [300, -300])
    func clockSkew(localAheadSeconds: Int64) async throws {
        try await withIdentityProvider { idp in
            let configuration = try integrationProvider(idp)
            let clock = WallClock(
                ContinuousClock(), wallOriginNanos: WallClock.realtimeNanos() + localAheadSeconds * 1_000_000_000
            )
            try await withManager(configuration, clock: clock) { fixture in
                let token = try await fixture.manager.token(for: fixture.provider)
                let snapshot = try #require(fixture.manager.snapshot().first)
                let skew = try #require(snapshot.skewSeconds)
                #expect(abs(skew + Double(localAheadSeconds)) <= 2, "skew \(skew) s")
                #expect(snapshot.phase == .fresh)
                // The provider issues 60 s tokens: the expiry on the local axis is about 60 s away, not
                // 60 s plus or minus the skew.
                let remaining = Double(token.expiresAt - clock.now()) / 1e9
                #expect(remaining > 30 && remaining <= 60, "expires in \(remaining) s")
                _ = try await fixture.manager.token(for: fixture.provider)
                #expect(idp.requests == 1, "the token is served from memory")
                expectNoSecrets(fixture, secrets: [Self.secret, token.value.revealed])
            }
        }
    }
}
