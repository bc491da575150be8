/// The figures of the six panels, already reduced from the Telemetry collector for the selected range.
public struct PanelData: Sendable, Hashable {
    /// Panel 1: share of refresh rounds that succeeded, `all` providers together, then one per provider.
    public var successRate: [DashboardSeries]
    /// Panel 2: `average` issued lifetime (seconds), then each provider's seconds until expiry.
    public var lifetime: [DashboardSeries]
    /// Panel 3: `p99` then `p50` refresh latency in seconds, from the duration histogram's buckets.
    public var latency: [DashboardSeries]
    /// Panel 4: fallback uses, `all` methods together (increase over the range, per-bucket increases), then one
    /// per method.
    public var fallback: [DashboardSeries]
    /// Panel 5: each provider's breaker state history (0 closed, 1 half-open, 2 open).
    public var breaker: [DashboardSeries]
    /// Panel 6: refresh conflicts, `all` providers (increase over the range, per-second rate per bucket), then
    /// one per provider.
    public var conflicts: [DashboardSeries]

    /// Creates panel data; every panel empty by default.
    public init(
        successRate: [DashboardSeries] = [],
        lifetime: [DashboardSeries] = [],
        latency: [DashboardSeries] = [],
        fallback: [DashboardSeries] = [],
        breaker: [DashboardSeries] = [],
        conflicts: [DashboardSeries] = []
    ) {
        self.successRate = successRate
        self.lifetime = lifetime
        self.latency = latency
        self.fallback = fallback
        self.breaker = breaker
        self.conflicts = conflicts
    }
}
