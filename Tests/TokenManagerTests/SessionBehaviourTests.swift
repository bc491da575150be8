import Clocks
import Logging
import MetricsTestKit
import OAuthTopTestKit
import Testing

@testable import TokenManager

@Suite("Manager decisions (scripted transport, test clocks)")
struct SessionBehaviourTests {
    static func provider(
        endpoints: [String] = ["http://a.test/token", "http://b.test/token"],
        grant: GrantType = .refreshToken,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(2)),
        breaker: BreakerPolicy = BreakerPolicy(failureThreshold: 2, coolDown: .seconds(30))
    ) -> ProviderConfiguration {
        ProviderConfiguration(
            name: "p", grant: grant, tokenEndpoints: endpoints, clientID: "client",
            clientSecret: Secret("client-secret-123"), refreshToken: Secret("refresh-1"),
            retry: retry, breaker: breaker
        )
    }

    static func manager(
        _ transport: ScriptedTransport,
        clock: some Clock<Duration>,
        provider: ProviderConfiguration = provider(),
        metrics: TestMetrics = TestMetrics(),
        events: EventRecorder = EventRecorder()
    ) -> OAuthTokenManager {
        let manager = OAuthTokenManager(
            providers: [provider], transport: transport, clock: WallClock(clock, wallOriginNanos: 1_700_000_000_000_000_000),
            random: .fixed(0.5), metricsFactory: metrics, logger: Logger(label: "test")
        )
        manager.subscribe { events.record($0) }
        return manager
    }

    @Test("a cached token is served without a request until the mandatory window")
    func cached() async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport([.token("t1", expiresIn: 100), .token("t2", expiresIn: 100)])
        let manager = Self.manager(transport, clock: clock)
        #expect(try await manager.token(for: "p").value.revealed == "t1")
        try await clock.sleep(for: .seconds(80))  // inside the advisory window: still t1, no request
        #expect(try await manager.token(for: "p").value.revealed == "t1")
        #expect(transport.sent.count == 1)
        try await clock.sleep(for: .seconds(11))  // mandatory window (last 10 s): the caller waits for t2
        #expect(try await manager.token(for: "p").value.revealed == "t2")
        #expect(transport.sent.count == 2)
    }

    @Test("concurrent callers share one round; every joined wait is a conflict")
    func singleFlight() async throws {
        let gate = Gate()
        let transport = ScriptedTransport([.token("t1", expiresIn: 100)], gate: gate)
        let metrics = TestMetrics()
        let manager = Self.manager(transport, clock: ImmediateClock(), metrics: metrics)
        let callers = 50
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<callers {
                group.addTask { try await manager.token(for: "p").value.revealed }
            }
            #expect(await eventually { gate.waiting == 1 && metrics.counterTotal(label: OAuthMetricNames.refreshConflicts) == Int64(callers - 1) })
            gate.open()
            for try await value in group { #expect(value == "t1") }
        }
        #expect(transport.sent.count == 1)
        #expect(metrics.counterTotal(label: OAuthMetricNames.refreshConflicts) == Int64(callers - 1))
    }

    @Test("the caller that starts a round has sent its request when it begins to wait, without waiting for the rounds' thread")
    func roundStartsInTheCaller() async throws {
        let gate = Gate()
        let transport = ScriptedTransport([.token("t1", expiresIn: 100)], gate: gate)
        let events = EventRecorder()
        let manager = Self.manager(transport, clock: ImmediateClock(), events: events)
        // The caller runs at once until it waits; no suspension of this test lies between here and the checks, so
        // what they see happened in the caller's own run: its round began, and sent its request, there.
        let token = Task.immediate { try await manager.token(for: "p").value.revealed }
        #expect(events.kinds(.refreshStarted).count == 1)
        #expect(transport.sent.count == 1)
        gate.open()
        #expect(try await token.value == "t1")
        #expect(transport.sent.count == 1)
    }

    @Test("invalid_grant is final: no retry, no failover, no further requests until a manual refresh")
    func invalidGrant() async throws {
        let transport = ScriptedTransport([
            .status(400, body: #"{"error":"invalid_grant","error_description":"token refresh-1 revoked"}"#),
            .token("t2", expiresIn: 100),
        ])
        let metrics = TestMetrics()
        let manager = Self.manager(transport, clock: ImmediateClock(), metrics: metrics)
        let error = await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") }
        #expect(error?.isFinal == true)
        #expect(error?.reason == "invalid_grant")
        #expect(error.map { !$0.description.contains("refresh-1") } == true, "an echoed secret is scrubbed")
        await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") }
        #expect(transport.sent.count == 1, "a revoked grant is reported, not hammered")
        #expect(metrics.counterTotal(label: OAuthMetricNames.refreshFailures, dimensions: [("provider", "p"), ("reason", "invalid_grant")]) == 1)
        let id = try #require(manager.provider(named: "p"))
        #expect(try await manager.refresh(id).value.revealed == "t2")
    }

    @Test("5xx is retried with backoff on the same endpoint, then the next endpoint is tried")
    func retryThenFailover() async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport([
            .status(500), .status(502), .status(500),  // primary: three attempts
            .token("t1", expiresIn: 100),  // secondary
        ])
        let events = EventRecorder()
        let manager = Self.manager(transport, clock: clock, events: events)
        let start = clock.now
        #expect(try await manager.token(for: "p").value.revealed == "t1")
        #expect(transport.sent.map(\.url) == ["http://a.test/token", "http://a.test/token", "http://a.test/token", "http://b.test/token"])
        #expect(events.kinds(.retry).count == 2)
        #expect(events.kinds(.failover).count == 1)
        // backoff with random 0.5: 50 ms then 100 ms
        #expect(start.duration(to: clock.now) == .milliseconds(150))
    }

    @Test("timeouts climb the ladder at once; a refused connection fails over at once")
    func ladder() async throws {
        let transport = ScriptedTransport([.fail(.timeout), .fail(.timeout), .fail(.connectionRefused), .token("t", expiresIn: 60)])
        var provider = Self.provider(endpoints: ["http://a.test/token", "http://c.test/token"])
        provider.retry.maxAttempts = 4
        let manager = Self.manager(transport, clock: ImmediateClock(), provider: provider)
        _ = try await manager.token(for: "p")
        let sent = transport.sent
        #expect(sent.map(\.timeout.total) == [.seconds(5), .seconds(15), .seconds(30), .seconds(5)])
        #expect(sent.map(\.url) == ["http://a.test/token", "http://a.test/token", "http://a.test/token", "http://c.test/token"])
    }

    @Test("429 waits at least Retry-After; a Retry-After beyond the limit ends the round and gates the next")
    func retryAfter() async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport([
            .status(429, headers: [("Retry-After", "7")]),
            .token("t1", expiresIn: 100),
            .status(429, headers: [("Retry-After", "600")]),
        ])
        let metrics = TestMetrics()
        let manager = Self.manager(transport, clock: clock, metrics: metrics)
        let start = clock.now
        _ = try await manager.token(for: "p")
        #expect(start.duration(to: clock.now) >= .seconds(7))
        #expect(metrics.counterTotal(label: OAuthMetricNames.rateLimited) == 1)
        let id = try #require(manager.provider(named: "p"))
        let error = await #expect(throws: TokenRefreshError.self) { try await manager.refresh(id) }
        #expect(error?.isRateLimited == true)
        #expect(transport.sent.count == 3)
        try await clock.sleep(for: .seconds(90))  // token now mandatory; the gate (600 s) still holds
        let gated = await #expect(throws: TokenRefreshError.self) { try await manager.token(for: id) }
        #expect(gated?.isRateLimited == true)
        #expect(transport.sent.count == 3, "never sooner than Retry-After")
    }

    @Test("the breaker opens after failed rounds, refuses without requests, half-opens and closes")
    func breaker() async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport([
            .fail(.connectionRefused), .fail(.connectionRefused),  // round 1: both endpoints down
            .fail(.connectionRefused), .fail(.connectionRefused),  // round 2
            .token("t1", expiresIn: 100),  // the probe
        ])
        let events = EventRecorder()
        let metrics = TestMetrics()
        let manager = Self.manager(transport, clock: clock, metrics: metrics, events: events)
        await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") }
        await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") }
        let refused = await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") }
        #expect(refused?.isBreakerOpen == true)
        #expect(transport.sent.count == 4, "no request leaves the process while the breaker is open")
        #expect(try metrics.expectGauge(OAuthMetricNames.circuitBreakerState, [("provider", "p")]).lastValue == 2)
        try await clock.sleep(for: .seconds(30))
        #expect(try await manager.token(for: "p").value.revealed == "t1")
        #expect(events.breakerStates == ["open", "half_open", "closed"])
        #expect(try metrics.expectGauge(OAuthMetricNames.circuitBreakerState, [("provider", "p")]).lastValue == 0)
    }

    @Test("a rotated refresh token replaces the old one")
    func rotation() async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport([.token("t1", expiresIn: 100, refreshToken: "refresh-2"), .token("t2", expiresIn: 100)])
        let manager = Self.manager(transport, clock: clock)
        _ = try await manager.token(for: "p")
        try await clock.sleep(for: .seconds(95))
        _ = try await manager.token(for: "p")
        #expect(transport.sent[0].body.contains("refresh_token=refresh-1"))
        #expect(transport.sent[1].body.contains("refresh_token=refresh-2"))
    }

    @Test("a handed-out token that expires before renewal counts as expired during a task")
    func expiredDuringTask() async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport([.token("t1", expiresIn: 100), .fail(.connectionRefused), .fail(.connectionRefused), .token("t2", expiresIn: 100)])
        let metrics = TestMetrics()
        let manager = Self.manager(transport, clock: clock, provider: Self.provider(breaker: BreakerPolicy(failureThreshold: 5)), metrics: metrics)
        _ = try await manager.token(for: "p")
        try await clock.sleep(for: .seconds(101))
        await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") }
        #expect(try await manager.token(for: "p").value.revealed == "t2")
        #expect(metrics.counterTotal(label: OAuthMetricNames.tokenExpiredDuringTask) == 1)
    }

    @Test("the background refresher renews in the advisory window, callers never wait")
    func backgroundRefresh() async throws {
        let clock = TestClock()
        let transport = ScriptedTransport([.token("t1", expiresIn: 100), .token("t2", expiresIn: 100)])
        let manager = Self.manager(transport, clock: clock)
        let task = Task { try await manager.run() }
        defer { task.cancel() }
        #expect(await eventually { (try? await manager.token(for: "p"))?.value.revealed == "t1" })
        // advisory opens at 100 s - (30 s + 2.5 s jitter) = 67.5 s
        await clock.advance(by: .seconds(67))
        #expect(transport.sent.count == 1)
        await clock.advance(by: .seconds(1))
        #expect(await eventually { transport.sent.count == 2 })
        #expect(await eventually { (try? await manager.token(for: "p"))?.value.revealed == "t2" })
    }
}
