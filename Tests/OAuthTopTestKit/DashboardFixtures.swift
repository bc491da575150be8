import Dashboard

/// Realistic, deterministic snapshots for previews, snapshot tests and the render benchmark.
///
/// Test support: the benchmarks compile this same file (a symbolic link), so it uses only Dashboard's public
/// API.
public enum DashboardFixtures {
    /// The seed's six panels as the default dashboard file defines them, without their queries (a fixture's
    /// series are made up).
    public static let seedPanels: [PanelDefinition] = [
        PanelDefinition(
            name: "token_refresh_success_rate", title: "Token refresh success rate", shortTitle: "Refresh success",
            style: .ratio, unit: "percent"),
        PanelDefinition(name: "average_token_lifetime", title: "Token lifetime", style: .lifetime, unit: "seconds"),
        PanelDefinition(
            name: "refresh_latency_p99", title: "Refresh latency p99", shortTitle: "Latency p99", style: .quantiles,
            unit: "seconds"),
        PanelDefinition(name: "fallback_usage_trend", title: "Fallback usage", style: .count, unit: "uses"),
        PanelDefinition(name: "circuit_breaker_state", title: "Circuit breaker", style: .breaker, unit: "none"),
        PanelDefinition(
            name: "concurrent_refresh_conflicts", title: "Refresh conflicts", shortTitle: "Conflicts", style: .rate,
            unit: "races"),
    ]

    /// A fixed capture time: 2023-11-14 22:13:20 UTC.
    public static let now: Int64 = 1_700_000_000_000_000_000

    /// A snapshot of three providers (one with its breaker open), five minutes of history sized for a
    /// terminal of `columns` x `rows`, two alerts and a few dozen events.
    ///
    /// - Parameters:
    ///   - columns: The terminal's width.
    ///   - rows: The terminal's height.
    /// - Returns: The snapshot; the same for the same size.
    public static func sample(columns: Int, rows: Int) -> DashboardSnapshot {
        let points = max(1, DashboardRenderer.graphPoints(for: TerminalSize(columns: columns, rows: rows)))
        let now = self.now
        let second: Int64 = 1_000_000_000
        let providers = [
            ProviderRow(
                name: "github", phase: .fresh, expiresAt: now + 2710 * second, lifetimeSeconds: 3600,
                breaker: .closed, breakerSince: now - 3725 * second
            ),
            ProviderRow(
                name: "google", phase: .advisory, expiresAt: now + 130 * second, lifetimeSeconds: 1800,
                breaker: .halfOpen, breakerSince: now - 4 * second, refreshing: true
            ),
            ProviderRow(
                name: "okta", phase: .mandatory, expiresAt: now + 25 * second, lifetimeSeconds: 900,
                breaker: .open, breakerSince: now - 42 * second, lastError: "http_503"
            ),
        ]
        func wave(_ index: Int, period: Double, low: Double, high: Double) -> Double {
            let phase = Double(index) / period
            let unit = (phase - phase.rounded(.down))
            return low + (high - low) * (unit < 0.5 ? unit * 2 : (1 - unit) * 2)
        }
        func series(_ label: String, _ value: Double?, _ make: (Int) -> Double?) -> DashboardSeries {
            DashboardSeries(label: label, value: value, points: (0..<points).map(make))
        }
        func sawtooth(_ index: Int, lifetime: Double, offset: Double) -> Double {
            let elapsed = (Double(index) * 300 / Double(points) + offset)
            return lifetime - (elapsed - (elapsed / (lifetime * 0.8)).rounded(.down) * lifetime * 0.8)
        }
        let panelSeries: [[DashboardSeries]] = [
            [
                series("all", 0.942) { $0 % 7 == 3 ? nil : ($0 % 11 == 5 ? 0.5 : 1) },
                series("github", 1) { $0 % 9 == 4 ? nil : 1 },
                series("google", 0.975) { $0 % 13 == 6 ? 0.75 : 1 },
                series("okta", 0.61) { $0 % 5 == 2 ? 0.25 : 0.8 },
            ],
            [
                series("average", 2100) { _ in 2100 },
                series("github", 2710) { sawtooth($0, lifetime: 3600, offset: 0) },
                series("google", 130) { sawtooth($0, lifetime: 1800, offset: 600) },
                series("okta", 25) { sawtooth($0, lifetime: 900, offset: 300) },
            ],
            [
                series("p99", 0.412) { wave($0, period: 17, low: 0.08, high: 0.6) },
                series("p50", 0.038) { wave($0, period: 23, low: 0.02, high: 0.06) },
            ],
            [
                series("all", 3) { $0 > points * 2 / 3 && $0 % 4 == 0 ? 1 : 0 },
                series("app_token", 2) { $0 > points * 2 / 3 && $0 % 8 == 0 ? 1 : 0 },
                series("emergency_key", 1) { _ in 0 },
            ],
            [
                series("github", 0) { _ in 0 },
                series("google", 1) { $0 < points / 2 ? 0 : ($0 < points - 2 ? 2 : 1) },
                series("okta", 2) { $0 < points / 3 ? 0 : 2 },
            ],
            [
                series("all", 2) { $0 % 19 == 7 ? 0.2 : 0 },
                series("github", 0) { _ in 0 },
                series("google", 2) { $0 % 19 == 7 ? 0.2 : 0 },
                series("okta", 0) { _ in 0 },
            ],
        ]
        let panels = zip(self.seedPanels, panelSeries).map { Panel(definition: $0, series: $1) }
        let alerts = [
            AlertRow(
                name: "CircuitBreakerOpen", state: .firing, severity: "critical", since: now - 40 * second,
                summary: "okta: breaker open, token endpoint refusing"
            ),
            AlertRow(
                name: "HighTokenRefreshFailureRate", state: .pending, severity: "warning", since: now - 25 * second,
                summary: "okta: 39% of refresh rounds failed in 5m"
            ),
        ]
        let kinds: [(String, String, Bool)] = [
            ("refresh_started", "reason=advisory", false),
            ("attempt_failed", "endpoint=primary attempt=1 status=503 reason=http_503", true),
            ("retry", "endpoint=primary attempt=2 backoff_ms=412", false),
            ("failover", "endpoint=secondary", false),
            ("refresh_succeeded", "endpoint=secondary duration_ms=118.4 expires_in_s=1800", false),
            ("breaker", "closed -> open", true),
            ("rate_limited", "endpoint=primary retry_after_ms=2000", false),
        ]
        let names = ["github", "google", "okta"]
        let events = (0..<40).map { index in
            let kind = kinds[index % kinds.count]
            return EventRow(
                time: now - Int64(40 - index) * 7 * second,
                provider: names[index % names.count],
                kind: kind.0,
                text: kind.1,
                isError: kind.2
            )
        }
        return DashboardSnapshot(
            now: now,
            uptime: .seconds(3725),
            providers: providers,
            range: .fiveMinutes,
            panels: panels,
            alerts: alerts,
            events: events,
            refreshMode: "demo"
        )
    }
}
