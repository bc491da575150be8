/// How a notifier's queue delivers: its capacity, the timeout of one attempt and the retries.
public struct DeliveryPolicy: Sendable, Hashable {
    /// The most alerts waiting for this notifier; when full, the oldest is dropped.
    public var queueCapacity: Int
    /// The longest one delivery attempt may take.
    public var attemptTimeout: Duration
    /// Attempts per batch, the first included.
    public var maxAttempts: Int
    /// The backoff ceiling after the first failed attempt; it doubles per attempt.
    public var backoffBase: Duration
    /// The largest backoff ceiling.
    public var backoffCap: Duration

    /// - Parameters:
    ///   - queueCapacity: The most alerts waiting (at least 1); 1000 by default.
    ///   - attemptTimeout: The longest one attempt may take; 10 s by default.
    ///   - maxAttempts: Attempts per batch (at least 1); 3 by default.
    ///   - backoffBase: The first backoff ceiling; 500 ms by default.
    ///   - backoffCap: The largest backoff ceiling; 30 s by default.
    public init(
        queueCapacity: Int = 1000,
        attemptTimeout: Duration = .seconds(10),
        maxAttempts: Int = 3,
        backoffBase: Duration = .milliseconds(500),
        backoffCap: Duration = .seconds(30)
    ) {
        self.queueCapacity = max(1, queueCapacity)
        self.attemptTimeout = attemptTimeout
        self.maxAttempts = max(1, maxAttempts)
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
    }

    /// The backoff ceiling after failed attempt `attempt` (1-based): `min(cap, base × 2^(attempt-1))`.
    ///
    /// The delay actually waited is drawn from `0...ceiling` (full jitter) by the dispatcher.
    public func backoffCeiling(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = self.backoffBase * (1 << exponent)
        return min(ceiling, self.backoffCap)
    }
}
