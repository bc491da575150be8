// The session's gauges that change with time, set on the sampler's tick.

extension ProviderSession {
    /// Sets the gauges that change with time (expires-in, breaker state).
    func publishGauges(now: Int64) {
        let (expiresAt, breaker) = self.state.withLock { ($0.token?.windows.expiresAt, $0.breaker.state) }
        self.metrics.expiresIn.record(expiresAt.map { max(0, Double($0 - now) / 1e9) } ?? 0)
        self.metrics.breakerState.record(Double(breaker.gaugeValue))
    }
}
