import Alerting
import CoreMetrics
import Dashboard
import Foundation
import Logging
import OAuthTopConfig
import Synchronization
import Telemetry
import Testing
import TokenManager

@testable import OAuthTopRuntime

/// The default dashboard's panels evaluated as range queries over the real Telemetry collector, with
/// Prometheus's semantics (counters made at 0, as exporters should).
@Suite("Panel queries")
struct PanelQueriesTests {
    static let start: Int64 = 1_000_000  // milliseconds
    static let now = start + 60_000

    /// A collector sampled once a second for 60 s, with `record(second)` run before each sample.
    static func collector(
        _ setUp: (TelemetryCollector) -> Void = { _ in },
        _ record: (TelemetryCollector, Int) -> Void
    ) -> TelemetryCollector {
        let collector = TelemetryCollector()
        setUp(collector)
        for second in 0...60 {
            record(collector, second)
            collector.sample(at: Self.start + Int64(second) * 1000)
        }
        return collector
    }

    static func panels(
        _ collector: TelemetryCollector,
        dashboard: DashboardDefinition = DashboardFile.defaultDashboard(),
        points: Int = 6
    ) async -> [Panel] {
        let queries = PanelQueries(dashboard: dashboard, source: EvaluatorQuerySource(source: collector))
        return await queries.panels(range: .oneMinute, now: Self.now, points: points)
    }

    static func counter(
        _ collector: TelemetryCollector, _ name: String, _ labels: [(String, String)]
    )
        -> any CounterHandler
    {
        collector.makeCounter(label: name, dimensions: labels)
    }

    static let success = [("provider", "a"), ("endpoint", "primary"), ("outcome", "success")]

    @Test("the default dashboard: the seed's six panels and the API calls, in order, each with its queries")
    func defaultDashboard() {
        let dashboard = DashboardFile.defaultDashboard()
        #expect(dashboard.name == "oauth_health")
        #expect(
            dashboard.panels.map(\.name) == [
                "token_refresh_success_rate", "average_token_lifetime", "refresh_latency_p99",
                "fallback_usage_trend", "circuit_breaker_state", "concurrent_refresh_conflicts", "api_calls",
            ])
        #expect(dashboard.panels.map(\.style) == [.ratio, .lifetime, .quantiles, .count, .breaker, .rate, .api])
        #expect(dashboard.panels.allSatisfy { !$0.queries.isEmpty })
    }

    @Test("success rate: successful rounds over all rounds per step; nothing where no round ran")
    func successRate() async throws {
        let collector = Self.collector({ collector in
            _ = Self.counter(collector, "oauth_refresh_attempts_total", Self.success)
            _ = Self.counter(collector, "oauth_refresh_failures_total", [("provider", "a"), ("reason", "http_500")])
        }) { collector, second in
            if [5, 15, 25].contains(second) {
                Self.counter(collector, "oauth_refresh_attempts_total", Self.success).increment(by: 1)
            }
            if second == 35 {
                Self.counter(collector, "oauth_refresh_failures_total", [("provider", "a"), ("reason", "http_500")])
                    .increment(by: 1)
            }
        }
        let panel = await Self.panels(collector)[0].series
        #expect(panel.map(\.label) == ["all", "a"])
        let value = try #require(panel[0].value)
        #expect(abs(value - 0.75) < 1e-9)
        #expect(panel[1].points == [1, 1, 1, 0, nil, nil])
        #expect(panel[0].points == panel[1].points)
    }

    /// Answers every token request with a fresh token.
    struct TokenTransport: TokenEndpointTransport {
        func send(_ request: TokenEndpointRequest, timeout: TimeoutStep) async throws(AttemptFailure)
            -> TokenEndpointResponse
        {
            let json = #"{"access_token":"token-1","token_type":"Bearer","expires_in":3600}"#
            return TokenEndpointResponse(
                status: 200, headers: [("Content-Type", "application/json")], body: Array(json.utf8))
        }

        func shutdown() async {}
    }

    @Test("a provider's first refresh counts: the manager makes its counters at 0 before any round")
    func firstRefreshCounted() async throws {
        let collector = TelemetryCollector()
        collector.describeOAuthMetrics()
        let manager = OAuthTokenManager(
            providers: [
                ProviderConfiguration(
                    name: "a", grant: .clientCredentials, tokenEndpoints: ["http://127.0.0.1:9/token"],
                    clientID: "client", clientSecret: Secret("client-secret-123"))
            ],
            transport: TokenTransport(), metricsFactory: collector, logger: Logger(label: "test")
        )
        for second in 0...60 {
            if second == 5 { _ = try await manager.token(for: "a") }
            collector.sample(at: Self.start + Int64(second) * 1000)
        }
        let panel = await Self.panels(collector)[0].series
        #expect(panel.map(\.label) == ["all", "a"])
        #expect(panel[0].value == 1)
        #expect(panel[1].value == 1)
        #expect(panel[1].points == [1, nil, nil, nil, nil, nil])
    }

    @Test("a rate needs two samples: no figure, and the panel says so")
    func oneSample() async {
        let collector = TelemetryCollector()
        Self.counter(collector, "oauth_refresh_attempts_total", Self.success).increment(by: 4)
        collector.sample(at: Self.now)
        let panels = await Self.panels(collector)
        #expect(panels[0].series.allSatisfy { $0.value == nil && $0.points.allSatisfy { $0 == nil } })
        let snapshot = DashboardSnapshot(now: Self.now * 1_000_000, panels: panels)
        let grid = DashboardRenderer.render(
            snapshot: snapshot, state: DashboardState(), theme: .default, size: TerminalSize(columns: 80, rows: 24))
        #expect(grid.lines.contains { $0.contains("no rounds yet") })
    }

    @Test("latency: histogram_quantile over the buckets' rates, interpolated within the bucket")
    func latency() async throws {
        let collector = Self.collector({ collector in
            _ = collector.makeTimer(
                label: "oauth_refresh_duration_seconds", dimensions: [("provider", "a"), ("endpoint", "primary")])
        }) { collector, second in
            guard second == 5 else { return }
            let timer = collector.makeTimer(
                label: "oauth_refresh_duration_seconds", dimensions: [("provider", "a"), ("endpoint", "primary")])
            for _ in 0..<50 { timer.recordNanoseconds(3_000_000) }
            for _ in 0..<40 { timer.recordNanoseconds(20_000_000) }
            for _ in 0..<10 { timer.recordNanoseconds(200_000_000) }
        }
        let latency = await Self.panels(collector)[2].series
        #expect(latency.map(\.label) == ["p99", "p50"])
        let p99 = try #require(latency[0].value)
        let p50 = try #require(latency[1].value)
        #expect(abs(p99 - 0.235) < 1e-9)
        #expect(abs(p50 - 0.005) < 1e-9)
        #expect(latency[0].points.compactMap { $0 }.count == 1)
    }

    @Test("conflicts: the increase over the range, and the rate per step")
    func conflicts() async throws {
        let collector = Self.collector({ collector in
            _ = Self.counter(collector, "oauth_refresh_conflicts_total", [("provider", "a")])
        }) { collector, second in
            let counter = Self.counter(collector, "oauth_refresh_conflicts_total", [("provider", "a")])
            if second == 12 { counter.increment(by: 2) }
            if second == 44 { counter.increment(by: 1) }
        }
        let conflicts = await Self.panels(collector)[5].series
        #expect(conflicts.map(\.label) == ["all", "a"])
        #expect(conflicts[0].value == 3)
        #expect(conflicts[1].value == 3)
        // Prometheus extrapolates a step whose first sample is not 0 to the step's start: 1 x 10/9 in 10 s.
        let points = conflicts[0].points.map { $0 ?? -1 }
        #expect(points[0] == 0 && points[1] == 0.2 && points[2] == 0 && points[3] == 0 && points[5] == 0)
        #expect(abs(points[4] - 1.0 / 9) < 1e-9)
    }

    @Test("fallback by method, lifetime and expiry gauges, breaker history")
    func gaugesAndFallback() async {
        let collector = Self.collector({ collector in
            _ = Self.counter(collector, "oauth_fallback_auth_used_total", [("method", "app_token")])
        }) { collector, second in
            if second == 50 {
                Self.counter(collector, "oauth_fallback_auth_used_total", [("method", "app_token")]).increment(by: 1)
            }
            collector.makeRecorder(
                label: "oauth_token_lifetime_seconds", dimensions: [("provider", "a")],
                aggregate: false
            ).record(Double(3600))
            collector.makeRecorder(
                label: "oauth_token_expires_in_seconds", dimensions: [("provider", "a")],
                aggregate: false
            ).record(Double(3000 - second))
            collector.makeRecorder(
                label: "oauth_circuit_breaker_state", dimensions: [("provider", "a")],
                aggregate: false
            ).record(Double(second >= 20 ? 2 : 0))
        }
        let panels = await Self.panels(collector)
        #expect(panels[3].series.map(\.label) == ["all", "app_token"])
        #expect(panels[3].series[0].value == 1)
        #expect(panels[3].series[1].points == [0, 0, 0, 0, 1, 0])
        #expect(panels[1].series.map(\.label) == ["average", "a"])
        #expect(panels[1].series[0].value == 3600)
        #expect(panels[1].series[1].points == [2990, 2980, 2970, 2960, 2950, 2940])
        #expect(panels[1].series[1].value == 2940)
        #expect(panels[4].series.map(\.label) == ["a"])
        #expect(panels[4].series[0].value == 2)
        #expect(panels[4].series[0].points == [0, 2, 2, 2, 2, 2])
    }

    @Test("API calls: the proxies' request rate, error share, replays, highest quota used and shed, by legend")
    func apiCalls() async throws {
        let claude2xx = [("proxy", "claude"), ("class", "2xx")]
        let claude4xx = [("proxy", "claude"), ("class", "4xx")]
        let openai2xx = [("proxy", "openai"), ("class", "2xx")]
        let replayed = [("proxy", "claude"), ("outcome", "replayed")]
        let notReplayable = [("proxy", "claude"), ("outcome", "not_replayable")]
        let collector = Self.collector({ collector in
            for labels in [claude2xx, claude4xx, openai2xx] {
                _ = Self.counter(collector, "oauth_proxy_requests_total", labels)
            }
            _ = Self.counter(collector, "oauth_proxy_auth_replays_total", replayed)
            _ = Self.counter(collector, "oauth_proxy_auth_replays_total", notReplayable)
            _ = Self.counter(collector, "oauth_proxy_shed_total", [("proxy", "claude")])
        }) { collector, second in
            guard second > 0 else { return }
            Self.counter(collector, "oauth_proxy_requests_total", claude2xx).increment(by: 2)
            Self.counter(collector, "oauth_proxy_requests_total", openai2xx).increment(by: 1)
            if second % 10 == 5 {
                Self.counter(collector, "oauth_proxy_requests_total", claude4xx).increment(by: 1)
            }
            if second == 30 { Self.counter(collector, "oauth_proxy_auth_replays_total", replayed).increment(by: 1) }
            if second == 40 {
                Self.counter(collector, "oauth_proxy_auth_replays_total", notReplayable).increment(by: 1)
            }
            if (50...55).contains(second) {
                Self.counter(collector, "oauth_proxy_shed_total", [("proxy", "claude")]).increment(by: 1)
            }
            collector.makeRecorder(
                label: "oauth_proxy_quota_used_ratio", dimensions: [("proxy", "claude"), ("limit", "requests")],
                aggregate: false
            ).record(second < 30 ? 0.5 : 0.97)
            collector.makeRecorder(
                label: "oauth_proxy_quota_used_ratio", dimensions: [("proxy", "openai"), ("limit", "tokens")],
                aggregate: false
            ).record(0.3)
        }
        let panel = try #require(await Self.panels(collector).last)
        #expect(panel.definition.name == "api_calls" && panel.error == nil)
        #expect(panel.series.map(\.label) == ["requests", "errors", "replays", "quota", "shed"])
        func value(_ label: String) throws -> Double {
            try #require(panel.series.first { $0.label == label }?.value, "\(label)")
        }
        // Prometheus extrapolates a counter's increase to the window's edges: within a few percent.
        #expect(abs(try value("requests") - 3.1) < 0.1, "2/s + 1/s + one 4xx every 10 s")
        #expect(abs(try value("errors") - 0.1 / 3.1) < 0.005, "the 4xx share")
        #expect(abs(try value("replays") - 1) < 0.1, "replayed only, not the request that could not be")
        #expect(try value("quota") == 0.97, "the highest quota used, over proxies and limits")
        #expect(abs(try value("shed") - 6) < 0.5)
        let quota = try #require(panel.series.first { $0.label == "quota" })
        #expect(quota.points == [0.5, 0.5, 0.97, 0.97, 0.97, 0.97])
        let errors = try #require(panel.series.first { $0.label == "errors" })
        #expect(errors.points.allSatisfy { ($0 ?? -1) >= 0 && ($0 ?? 1) < 0.1 }, "a share each step: \(errors.points)")
    }

    @Test("API calls without any proxy: no series and no error, so the panel reads as empty")
    func apiCallsWithoutProxies() async throws {
        let collector = Self.collector({ collector in
            _ = Self.counter(collector, "oauth_refresh_attempts_total", Self.success)
        }) { _, _ in }
        let panel = try #require(await Self.panels(collector).last)
        #expect(panel.definition.style == .api)
        #expect(panel.series.isEmpty)
        #expect(panel.error == nil)
    }

    @Test("one step per graph column, at least two sample intervals wide")
    func steps() async {
        #expect(PanelQueries.step(range: 60_000, points: 6, resolution: 1000) == 10_000)
        #expect(PanelQueries.step(range: 300_000, points: 64, resolution: 1000) == 5000)
        #expect(PanelQueries.step(range: 60_000, points: 200, resolution: 1000) == 2000)
        let collector = Self.collector { _, _ in }
        #expect(await Self.panels(collector, points: 200)[0].series.allSatisfy { $0.points.count == 30 })
        let narrow = await Self.panels(collector, points: 24)
        #expect(narrow[4].series.allSatisfy { $0.points.count <= 24 })
    }

    /// Counts the steps each range query asks for.
    final class CountingSource: PanelQuerySource {
        let inner: EvaluatorQuerySource
        let steps = Mutex(0)

        init(_ inner: EvaluatorQuerySource) { self.inner = inner }

        func queryRange(_ query: String, start: Int64, end: Int64, step: Int64) throws -> [RangeSeries] {
            self.steps.withLock { $0 += Int((end - start) / step) + 1 }
            return try self.inner.queryRange(query, start: start, end: end, step: step)
        }

        func query(_ query: String, at time: Int64) throws -> [VectorElement] {
            try self.inner.query(query, at: time)
        }
    }

    @Test("a frame a second later evaluates only the steps that are new or still open")
    func cache() async {
        let collector = Self.collector { collector, second in
            collector.makeRecorder(
                label: "oauth_circuit_breaker_state", dimensions: [("provider", "a")],
                aggregate: false
            ).record(Double(second % 3))
        }
        let source = CountingSource(EvaluatorQuerySource(source: collector))
        let dashboard = DashboardDefinition(
            name: "d",
            panels: [
                PanelDefinition(
                    name: "b", title: "B", style: .graph,
                    queries: [PanelQuery(expression: "max by (provider) (oauth_circuit_breaker_state)")])
            ])
        let queries = PanelQueries(dashboard: dashboard, source: source)
        let first = await queries.panels(range: .oneMinute, now: Self.now, points: 30)
        #expect(source.steps.withLock { $0 } == 30)
        let second = await queries.panels(range: .oneMinute, now: Self.now + 1000, points: 30)
        #expect(source.steps.withLock { $0 } <= 32)
        // Same steps (2 s apart, aligned to absolute time): the same points.
        #expect(second[0].series[0].points == first[0].series[0].points)
        let fresh = await PanelQueries(dashboard: dashboard, source: EvaluatorQuerySource(source: collector))
            .panels(range: .oneMinute, now: Self.now + 1000, points: 30)
        #expect(fresh == second)
    }

    /// A scripted timeline: new samples, a new series, a counter reset, range and width changes.
    @Test("kept steps: every frame of a scripted timeline shows what a fresh evaluation shows")
    func cacheTimeline() async {
        let collector = TelemetryCollector()
        let queries = PanelQueries(dashboard: Self.timelineDashboard, source: EvaluatorQuerySource(source: collector))
        // (from second, range, graph columns): steps of 2 s on 30 and 150 columns (the same text and step for
        // 1m and 5m), then 5 s, 8 s and back.
        let views: [(Int, TimeRange, Int)] = [
            (0, .oneMinute, 30), (70, .fiveMinutes, 150), (85, .oneMinute, 12), (100, .fiveMinutes, 40),
            (115, .oneMinute, 30), (125, .fiveMinutes, 150),
        ]
        var frames = 0
        for second in 0..<140 {
            Self.record(collector, second)
            let sampled = Self.start + Int64(second) * 1000
            collector.sample(at: sampled)
            let (_, range, points) = views.last { $0.0 <= second }!
            // Two frames a second, between the samples, as a dashboard refreshing faster than the sampler.
            for offset: Int64 in [300, 800] {
                let now = sampled + offset
                let kept = await queries.panels(range: range, now: now, points: points)
                let fresh = await PanelQueries(
                    dashboard: Self.timelineDashboard, source: EvaluatorQuerySource(source: collector)
                ).panels(range: range, now: now, points: points)
                #expect(kept == fresh, "second \(second) + \(offset) ms, \(range), \(points) columns")
                frames += 1
            }
        }
        #expect(frames == 280)
    }

    /// The default dashboard and a panel whose query has no variables (the same text for every range).
    static let timelineDashboard = DashboardDefinition(
        name: "timeline",
        panels: DashboardFile.defaultDashboard().panels + [
            PanelDefinition(
                name: "attempts", title: "Attempts", style: .graph,
                queries: [PanelQuery(expression: "sum by (provider) (oauth_refresh_attempts_total)")])
        ])

    /// The timeline's events at `second`: rounds of provider a, provider b from second 40, failures, latencies,
    /// conflicts, fallback uses, gauges, and a's success counter reset at second 90 (a restarted process).
    static func record(_ collector: TelemetryCollector, _ second: Int) {
        let successA = Self.counter(collector, "oauth_refresh_attempts_total", Self.success)
        if second % 7 == 0 { successA.increment(by: 1) }
        if second == 90 { successA.reset() }
        if second >= 40, second % 3 == 0 {
            Self.counter(
                collector, "oauth_refresh_attempts_total",
                [("provider", "b"), ("endpoint", "primary"), ("outcome", "success")]
            ).increment(by: 2)
        }
        if second % 11 == 3 {
            Self.counter(collector, "oauth_refresh_failures_total", [("provider", "a"), ("reason", "http_500")])
                .increment(by: 1)
        }
        if second % 5 == 0 {
            collector.makeTimer(
                label: "oauth_refresh_duration_seconds", dimensions: [("provider", "a"), ("endpoint", "primary")]
            ).recordNanoseconds(Int64(1 + second % 4) * 20_000_000)
        }
        if second % 13 == 6 {
            Self.counter(collector, "oauth_refresh_conflicts_total", [("provider", "a")]).increment(by: 1)
        }
        if second % 17 == 9 {
            Self.counter(collector, "oauth_fallback_auth_used_total", [("method", "app_token")]).increment(by: 1)
        }
        collector.makeRecorder(label: "oauth_token_lifetime_seconds", dimensions: [("provider", "a")], aggregate: false)
            .record(Double(3600 - second % 50))
        collector.makeRecorder(label: "oauth_token_expires_in_seconds", dimensions: [("provider", "a")], aggregate: false)
            .record(Double(3000 - second))
        collector.makeRecorder(label: "oauth_circuit_breaker_state", dimensions: [("provider", "a")], aggregate: false)
            .record(Double(second / 10 % 3))
    }

    @Test("a query that fails at run time gives its panel the error, and the other panels their series")
    func queryError() async throws {
        let collector = Self.collector { collector, second in
            for provider in ["a", "b"] {
                collector.makeRecorder(
                    label: "oauth_circuit_breaker_state", dimensions: [("provider", provider)], aggregate: false
                ).record(Double(second % 3))
            }
        }
        let dashboard = DashboardDefinition(
            name: "d",
            panels: [
                PanelDefinition(
                    name: "broken", title: "Broken", style: .graph,
                    queries: [
                        PanelQuery(expression: "max by (provider) (oauth_circuit_breaker_state)"),
                        // Two series on each side, matched on nothing: many-to-many, an evaluation error.
                        PanelQuery(expression: "oauth_circuit_breaker_state + on() oauth_circuit_breaker_state"),
                    ]),
                PanelDefinition(
                    name: "fine", title: "Fine", style: .graph,
                    queries: [PanelQuery(expression: "max(oauth_circuit_breaker_state)")]),
            ])
        let panels = await Self.panels(collector, dashboard: dashboard)
        let error = try #require(panels[0].error)
        #expect(error.contains("many-to-many matching not allowed"))
        #expect(!error.contains("\n"))
        #expect(panels[0].series.map(\.label).count == 2)
        #expect(panels[1].error == nil)
        #expect(panels[1].series.count == 1)
        let decoded = try JSONDecoder().decode(Panel.self, from: JSONEncoder().encode(panels[0]))
        #expect(decoded == panels[0])
    }

    @Test("legends: {{label}} replaced by the series' value; empty: the labels as written")
    func legends() {
        let labels = Labels(["provider": "a", "method": "m"])
        #expect(PanelQueries.legend("{{provider}}", labels) == "a")
        #expect(PanelQueries.legend("{{ provider }}/{{method}} x", labels) == "a/m x")
        #expect(PanelQueries.legend("", labels) == labels.description)
        #expect(PanelQueries.legend("all", labels) == "all")
    }

    @Test("variables become Prometheus durations")
    func variables() {
        let variables = PanelVariables(interval: 5000, resolution: 1000, range: 300_000)
        #expect(
            variables.substitute("rate(x[$__rate_interval]) + increase(x[$__interval]) + increase(x[$__range])")
                == "rate(x[6s]) + increase(x[5s]) + increase(x[5m])")
        #expect(PanelVariables.duration(1500) == "1500ms")
        #expect(PanelVariables.duration(3_600_000) == "1h")
    }
}
