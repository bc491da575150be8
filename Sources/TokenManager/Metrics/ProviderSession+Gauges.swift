// The session's gauges that change with time, set on the sampler's tick.

extension ProviderSession {
    /// Sets the gauges that change with time (expires-in, expiration timestamp, breaker state).
    func publishGauges(now: Int64) {
        let (expiresAt, breaker) = self.state.withLock { ($0.token?.windows.expiresAt, $0.breaker.state) }
        self.metrics.recordExpiry(expiresAt: expiresAt, now: now)
        self.metrics.breakerState.record(Double(breaker.gaugeValue))
    }
}
