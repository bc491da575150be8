import Testing

@testable import TokenManager

@Suite("Refresh windows and backoff")
struct RefreshWindowsTests {
    static let second: Int64 = 1_000_000_000

    @Test("windows are sized from the lifetime", arguments: [
        // lifetime s, advisory s before expiry, mandatory s before expiry (no jitter)
        (3600.0, 900.0, 360.0),  // 30% = 1080 s clamped to 15 min; 10% = 360 s
        (900.0, 270.0, 90.0),  // a 15-minute token is not refreshed on every call
        (60.0, 18.0, 6.0),
        (10.0, 3.0, 2.0),  // the mandatory window never shrinks below 2 s
        (1.0, 1.0, 1.0),  // nor beyond the lifetime
    ])
    func sizedFromLifetime(lifetime: Double, advisory: Double, mandatory: Double) {
        let policy = RefreshPolicy()
        let obtained: Int64 = 1_000 * Self.second
        let expires = obtained + Int64(lifetime * 1e9)
        let windows = policy.windows(obtainedAt: obtained, expiresAt: expires, random: 0)
        #expect(windows.expiresAt == expires)
        #expect(Double(expires - windows.advisoryAt) / 1e9 == advisory)
        #expect(Double(expires - windows.mandatoryAt) / 1e9 == mandatory)
        #expect(windows.advisoryAt <= windows.mandatoryAt)
    }

    @Test("jitter opens the advisory window earlier, by at most jitterFraction of the lifetime")
    func jitter() {
        let policy = RefreshPolicy(jitterFraction: 0.1)
        let expires: Int64 = 100 * Self.second
        let none = policy.windows(obtainedAt: 0, expiresAt: expires, random: 0)
        let most = policy.windows(obtainedAt: 0, expiresAt: expires, random: 0.999)
        #expect(none.advisoryAt - most.advisoryAt > 9 * Self.second)
        #expect(none.advisoryAt - most.advisoryAt <= 10 * Self.second)
        #expect(none.mandatoryAt == most.mandatoryAt)
        let seeded = RandomSource.seeded(42)
        let starts = Set((0..<20).map { _ in policy.windows(obtainedAt: 0, expiresAt: expires, random: seeded.unit()).advisoryAt })
        #expect(starts.count > 15, "a fleet gets spread-out refresh times")
    }

    @Test("full-jitter backoff stays under the exponential ceiling and the cap")
    func backoff() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        #expect(policy.backoff(retry: 1, random: 0) == .zero)
        #expect(policy.backoff(retry: 1, random: 0.5) == .milliseconds(50))
        #expect(policy.backoff(retry: 3, random: 0.5) == .milliseconds(200))
        #expect(policy.backoff(retry: 10, random: 0.5) == .milliseconds(500), "capped at maxDelay")
        #expect(policy.backoff(retry: 64, random: 0.999) < .seconds(1))
    }

    @Test("the timeout ladder escalates and its last step repeats")
    func ladder() {
        let ladder = TimeoutLadder.default
        #expect(ladder.step(forAttempt: 0) == TimeoutStep(connect: .seconds(2), total: .seconds(5)))
        #expect(ladder.step(forAttempt: 1) == TimeoutStep(connect: .seconds(5), total: .seconds(15)))
        #expect(ladder.step(forAttempt: 2) == TimeoutStep(connect: .seconds(10), total: .seconds(30)))
        #expect(ladder.step(forAttempt: 7) == ladder.step(forAttempt: 2))
    }
}

@Suite("Circuit breaker")
struct CircuitBreakerTests {
    @Test("opens after the threshold, half-opens after the cool-down, closes on a good probe")
    func lifecycle() {
        var breaker = CircuitBreaker(policy: BreakerPolicy(failureThreshold: 3, coolDown: .seconds(10)), now: 0)
        #expect(breaker.recordFailure(now: 1) == nil)
        #expect(breaker.recordFailure(now: 2) == nil)
        #expect(breaker.recordFailure(now: 3) == BreakerTransition(from: .closed, to: .open))
        #expect(breaker.admit(now: 4).allowed == false)
        let admitted = breaker.admit(now: 3 + 10_000_000_000)
        #expect(admitted.allowed)
        #expect(admitted.transition == BreakerTransition(from: .open, to: .halfOpen))
        #expect(breaker.recordSuccess(now: 20_000_000_000) == BreakerTransition(from: .halfOpen, to: .closed))
        #expect(breaker.consecutiveFailures == 0)
    }

    @Test("a failed probe opens it again for a full cool-down")
    func failedProbe() {
        var breaker = CircuitBreaker(policy: BreakerPolicy(failureThreshold: 1, coolDown: .seconds(5)), now: 0)
        _ = breaker.recordFailure(now: 0)
        _ = breaker.admit(now: 5_000_000_000)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.recordFailure(now: 6_000_000_000) == BreakerTransition(from: .halfOpen, to: .open))
        #expect(breaker.admit(now: 10_000_000_000).allowed == false)
        #expect(breaker.admit(now: 11_000_000_000).allowed)
    }

    @Test("a success resets the failure count while closed")
    func successResets() {
        var breaker = CircuitBreaker(policy: BreakerPolicy(failureThreshold: 2, coolDown: .seconds(5)), now: 0)
        _ = breaker.recordFailure(now: 0)
        #expect(breaker.recordSuccess(now: 1) == nil)
        #expect(breaker.recordFailure(now: 2) == nil)
        #expect(breaker.state == .closed)
    }
}
