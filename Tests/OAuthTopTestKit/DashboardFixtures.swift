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

    /// The default dashboard's seventh panel, API calls through the proxies, without its queries.
    public static let apiPanel = PanelDefinition(
        name: "api_calls", title: "API calls through the proxies", shortTitle: "API calls", style: .api,
        unit: "per_second")

    /// The default dashboard's panels: the seed's six and the API calls strip.
    public static let defaultPanels = seedPanels + [apiPanel]

    /// The API panel's series as the default dashboard's queries give them: requests per second, the share of
    /// errors, replays, the highest quota used and requests shed.
    public static func apiSeries(points: Int) -> [DashboardSeries] {
        func series(_ label: String, _ value: Double?, _ make: (Int) -> Double?) -> DashboardSeries {
            DashboardSeries(label: label, value: value, points: (0..<points).map(make))
        }
        return [
            series("requests", 12.3) { index in 8 + Double(index % 12) / 2 },
            series("errors", 0.021) { $0 % 10 == 3 ? 0.1 : 0 },
            series("replays", 3) { $0 % 20 == 7 ? 1 : 0 },
            series("quota", 0.92) { index in min(0.92, Double(index) / Double(max(1, points))) },
            series("shed", 0) { _ in 0 },
        ]
    }

    /// A fixed capture time: 2023-11-14 22:13:20 UTC.
    public static let now: Int64 = 1_700_000_000_000_000_000

    /// A snapshot of three providers (one with its breaker open) with their detail, the default dashboard's
    /// seven panels with five minutes of history sized for a terminal of `columns` x `rows`, two alerts, a few
    /// dozen events and four consumers.
    ///
    /// - Parameters:
    ///   - columns: The terminal's width.
    ///   - rows: The terminal's height.
    /// - Returns: The snapshot; the same for the same size.
    public static func sample(columns: Int, rows: Int) -> DashboardSnapshot {
        let points = max(
            1,
            DashboardRenderer.graphPoints(
                for: TerminalSize(columns: columns, rows: rows), panelCount: self.defaultPanels.count)
        )
        let now = self.now
        let second: Int64 = 1_000_000_000
        func outcomes(_ marks: String, every: Int64, durationMilliseconds: Double = 118.4) -> [EndpointRow.Outcome] {
            marks.enumerated().map { index, mark in
                EndpointRow.Outcome(
                    time: now - Int64(marks.count - index) * every * second, succeeded: mark == "+",
                    code: mark == "+" ? "" : "http_503", durationMilliseconds: mark == "+" ? durationMilliseconds : 1002
                )
            }
        }
        let providers = [
            ProviderRow(
                name: "github", phase: .fresh, expiresAt: now + 2710 * second, lifetimeSeconds: 3600,
                breaker: .closed, breakerSince: now - 3725 * second,
                tokenFingerprint: "1a2b3c4d", issuedAt: now - 890 * second, advisoryAt: now + 1630 * second,
                mandatoryAt: now + 2350 * second, endpoint: "https://github.com/login/oauth/access_token",
                endpoints: [
                    EndpointRow(url: "https://github.com/login/oauth/access_token", outcomes: outcomes("++++", every: 900))
                ],
                rounds: 4, lastSuccessAt: now - 890 * second, skewSeconds: 0.2
            ),
            ProviderRow(
                name: "google", phase: .advisory, expiresAt: now + 130 * second, lifetimeSeconds: 1800,
                breaker: .halfOpen, breakerSince: now - 4 * second, refreshing: true,
                tokenFingerprint: "9f8e7d6c", issuedAt: now - 1670 * second, advisoryAt: now - 70 * second,
                mandatoryAt: now + 50 * second, endpoint: "https://oauth2.googleapis.com/token",
                endpoints: [EndpointRow(url: "https://oauth2.googleapis.com/token", outcomes: outcomes("++x+x", every: 60))],
                breakerHistory: [
                    BreakerChange(time: now - 34 * second, from: .closed, to: .open),
                    BreakerChange(time: now - 4 * second, from: .open, to: .halfOpen),
                ],
                consecutiveFailures: 2, rounds: 9, failedRounds: 2, lastSuccessAt: now - 1670 * second,
                fallbackChain: ["app_token"]
            ),
            ProviderRow(
                name: "okta", phase: .mandatory, expiresAt: now + 25 * second, lifetimeSeconds: 900,
                breaker: .open, breakerSince: now - 42 * second,
                lastError: "all endpoints failed: https://okta.example.com/oauth2/v1/token answered 503 Service "
                    + "Unavailable (http_503) after 3 attempts; https://okta-dr.example.com/oauth2/v1/token "
                    + "refused the connection",
                tokenFingerprint: "0badf00d", issuedAt: now - 875 * second, advisoryAt: now - 245 * second,
                mandatoryAt: now - 65 * second, endpoint: "https://okta.example.com/oauth2/v1/token",
                endpoints: [
                    EndpointRow(url: "https://okta.example.com/oauth2/v1/token", outcomes: outcomes("++xxx", every: 20)),
                    EndpointRow(url: "https://okta-dr.example.com/oauth2/v1/token", outcomes: outcomes("xx", every: 20)),
                ],
                breakerHistory: [BreakerChange(time: now - 42 * second, from: .closed, to: .open)],
                consecutiveFailures: 3, rounds: 12, failedRounds: 3, lastSuccessAt: now - 875 * second,
                fallbackChain: ["app_token", "emergency_key"], fallbackInUse: "emergency_key"
            ),
        ]
        let consumers = [
            ConsumerRow(
                kind: .exec, provider: "github", name: "python3 nightly_export.py", pid: 4242,
                since: now - 1900 * second, lastAt: now - 890 * second, lastOutcome: "success",
                tokenFingerprint: "1a2b3c4d"
            ),
            ConsumerRow(
                kind: .sink, provider: "github", name: "/run/user/1000/github.token", since: now - 3725 * second,
                lastAt: now - 890 * second, lastOutcome: "success", tokenFingerprint: "1a2b3c4d"
            ),
            ConsumerRow(
                kind: .socket, provider: "google", name: "unix uid 1000", pid: 5151, since: now - 600 * second,
                lastAt: now - 3 * second, lastOutcome: "ok", requests: 12
            ),
            ConsumerRow(
                kind: .sink, provider: "okta", name: "/etc/app/okta.token", since: now - 3725 * second,
                lastAt: now - 875 * second, lastOutcome: "write_failed",
                lastError: "cannot write /etc/app/okta.token: permission denied"
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
        let panels = zip(self.defaultPanels, panelSeries + [self.apiSeries(points: points)]).map {
            Panel(definition: $0, series: $1)
        }
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
            refreshMode: "demo",
            consumers: consumers
        )
    }
}
