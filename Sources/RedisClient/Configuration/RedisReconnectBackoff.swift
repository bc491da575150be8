/// How long to wait before the next attempt to reach a server that failed: exponential from ``base``
/// to ``max``, with "equal jitter" so a fleet that lost its Redis at once does not reconnect in step.
///
/// The delay before attempt `n` (after `n` failures in a row) is `d / 2 + random * d / 2` with
/// `d = min(max, base * 2^(n-1))`: never less than half the exponential step, never more than the step.
/// `random` is injected (a uniform value in `0 ..< 1`), so tests choose it.
public struct RedisReconnectBackoff: Sendable {
    /// The first delay's upper bound.
    public var base: Duration
    /// The largest delay.
    public var max: Duration
    /// A uniform value in `0 ..< 1` for the jitter; the system generator by default.
    public var random: @Sendable () -> Double

    public init(base: Duration, max: Duration, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) })
    {
        self.base = base
        self.max = max
        self.random = random
    }

    /// 100 ms doubling to 10 s, with jitter from the system generator.
    public static var `default`: RedisReconnectBackoff {
        RedisReconnectBackoff(base: .milliseconds(100), max: .seconds(10))
    }

    /// The delay after `failures` failed attempts in a row (1 for the first failure); zero for 0.
    public func delay(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        var step = self.base
        // Doubling stops at max, so no count of failures overflows.
        for _ in 1..<Swift.min(failures, 64) where step < self.max { step = step * 2 }
        step = Swift.min(step, self.max)
        let unit = Swift.min(Swift.max(self.random(), 0), 1)
        return step / 2 + step * (unit / 2)
    }

    func validate() throws {
        guard self.base > .zero else {
            throw RedisConfigurationError.badValue(field: "reconnect base", reason: "must be positive")
        }
        guard self.max >= self.base else {
            throw RedisConfigurationError.badValue(field: "reconnect max", reason: "must be at least the base")
        }
    }
}
