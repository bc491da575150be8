import CoreMetrics
import Telemetry
import Testing
import TokenManager

@testable import Dashboard

@Suite("Snapshot capture from the collector")
struct CaptureTests {
    static let start: Int64 = 1_000_000  // milliseconds
    static let provider = ["provider": "a"]

    /// A collector sampled once a second for 60 s, with `record(second)` run before each sample.
    static func collector(_ record: (TelemetryCollector, Int) -> Void) -> TelemetryCollector {
        let collector = TelemetryCollector()
        collector.makeRecorder(label: OAuthMetricNames.circuitBreakerState, dimensions: [("provider", "a")],
            aggregate: false).record(Double(0))
        for second in 0...60 {
            record(collector, second)
            collector.sample(at: Self.start + Int64(second) * 1000)
        }
        return collector
    }

    static func capture(_ collector: TelemetryCollector, points: Int = 6) -> DashboardSnapshot {
        DashboardSnapshot.capture(
            collector: collector,
            providers: [ProviderRow(name: "a", breaker: .open, breakerSince: (Self.start + 20_000) * 1_000_000)],
            events: [],
            range: .oneMinute,
            now: (Self.start + 60_000) * 1_000_000,
            uptime: .seconds(60),
            points: points
        )
    }

    static func counter(_ collector: TelemetryCollector, _ name: String, _ labels: [(String, String)])
        -> any CounterHandler
    {
        collector.makeCounter(label: name, dimensions: labels)
    }

    @Test("success rate: successful rounds over all rounds, per 10 s bucket, nothing where no round ran")
    func successRate() throws {
        let collector = Self.collector { collector, second in
            let success = [("provider", "a"), ("endpoint", "primary"), ("outcome", "success")]
            if [5, 15, 25].contains(second) {
                Self.counter(collector, OAuthMetricNames.refreshAttempts, success).increment(by: 1)
            }
            if second == 35 {
                Self.counter(collector, OAuthMetricNames.refreshAttempts,
                    [("provider", "a"), ("endpoint", "primary"), ("outcome", "http_500")]).increment(by: 2)
                Self.counter(collector, OAuthMetricNames.refreshFailures, [("provider", "a"), ("reason", "http_500")])
                    .increment(by: 1)
            }
        }
        let panel = Self.capture(collector).panels.successRate
        #expect(panel.map(\.label) == ["all", "a"])
        #expect(panel[0].value == 0.75)
        #expect(panel[1].points == [1, 1, 1, 0, nil, nil])
        #expect(panel[0].points == panel[1].points)
    }

    @Test("a rate needs two samples")
    func oneSample() {
        let collector = TelemetryCollector()
        Self.counter(collector, OAuthMetricNames.refreshAttempts,
            [("provider", "a"), ("endpoint", "e"), ("outcome", "success")]).increment(by: 4)
        collector.sample(at: Self.start + 60_000)
        let snapshot = Self.capture(collector)
        #expect(snapshot.panels.successRate[0].value == nil)
        #expect(snapshot.panels.successRate[0].points.allSatisfy { $0 == nil })
        let grid = DashboardRenderer.render(snapshot: snapshot, state: DashboardState(), theme: .default,
            size: TerminalSize(columns: 80, rows: 24))
        #expect(find("no rounds yet", in: grid) != nil)
    }

    @Test("latency p50 and p99 from bucket increases, interpolated within the bucket")
    func latency() throws {
        let collector = Self.collector { collector, second in
            guard second == 5 else { return }
            let timer = collector.makeTimer(label: OAuthMetricNames.refreshDuration,
                dimensions: [("provider", "a"), ("endpoint", "primary")])
            for _ in 0..<50 { timer.recordNanoseconds(3_000_000) }
            for _ in 0..<40 { timer.recordNanoseconds(20_000_000) }
            for _ in 0..<10 { timer.recordNanoseconds(200_000_000) }
        }
        let latency = Self.capture(collector).panels.latency
        let p99 = try #require(latency.first { $0.label == "p99" }?.value)
        let p50 = try #require(latency.first { $0.label == "p50" }?.value)
        #expect(abs(p99 - 0.235) < 1e-9)
        #expect(abs(p50 - 0.005) < 1e-9)
        #expect(latency[0].points.compactMap { $0 }.count == 1)
    }

    @Test("conflicts: increase over the range and a per-second rate per bucket")
    func conflicts() {
        let collector = Self.collector { collector, second in
            let counter = Self.counter(collector, OAuthMetricNames.refreshConflicts, [("provider", "a")])
            if second == 12 { counter.increment(by: 2) }
            if second == 44 { counter.increment(by: 1) }
        }
        let conflicts = Self.capture(collector).panels.conflicts
        #expect(conflicts[0].value == 3)
        #expect(conflicts[1].value == 3)
        #expect(conflicts[0].points == [0, 0.2, 0, 0, 0.1, 0])
    }

    @Test("fallback by method, lifetime and expiry gauges, breaker history")
    func gaugesAndFallback() {
        let collector = Self.collector { collector, second in
            if second == 50 {
                Self.counter(collector, OAuthMetricNames.fallbackAuthUsed, [("method", "app_token")]).increment(by: 1)
            }
            collector.makeRecorder(label: OAuthMetricNames.tokenLifetime, dimensions: [("provider", "a")],
                aggregate: false).record(Double(3600))
            collector.makeRecorder(label: OAuthMetricNames.tokenExpiresIn, dimensions: [("provider", "a")],
                aggregate: false).record(Double(3000 - second))
            collector.makeRecorder(label: OAuthMetricNames.circuitBreakerState, dimensions: [("provider", "a")],
                aggregate: false).record(Double(second >= 20 ? 2 : 0))
        }
        let panels = Self.capture(collector).panels
        #expect(panels.fallback.map { $0.label } == ["all", "app_token"])
        #expect(panels.fallback[0].value == 1)
        #expect(panels.fallback[1].points == [nil, nil, nil, nil, 1, 0])
        #expect(panels.lifetime[0].value == 3600)
        #expect(panels.lifetime[1].points == [2990, 2980, 2970, 2960, 2950, 2940])
        #expect(panels.lifetime[1].value == 2940)
        #expect(panels.breaker[0].value == 2)
        #expect(panels.breaker[0].points == [0, 2, 2, 2, 2, 2])
    }

    @Test("points never exceed the sample count of the range")
    func pointCount() {
        let collector = Self.collector { _, _ in }
        #expect(Self.capture(collector, points: 200).panels.successRate[0].points.count == 60)
        #expect(Self.capture(collector, points: 24).panels.successRate[0].points.count == 24)
    }

    @Test("histogram_quantile as Prometheus computes it")
    func histogramQuantile() {
        let buckets: [(upperBound: Double, count: Double)] = [(0.1, 10), (0.5, 30), (1, 40), (.infinity, 50)]
        #expect(HistogramQuantile.quantile(0.5, buckets: buckets) == 0.1 + 0.4 * (15.0 / 20.0))
        #expect(HistogramQuantile.quantile(0.1, buckets: buckets) == 0.05)
        #expect(HistogramQuantile.quantile(0.99, buckets: buckets) == 1)
        #expect(HistogramQuantile.quantile(0.5, buckets: [(0.1, 0), (.infinity, 0)]) == nil)
        #expect(HistogramQuantile.quantile(0.5, buckets: [(0.1, 1), (1, 2)]) == nil)
        #expect(HistogramQuantile.quantile(1.5, buckets: buckets) == nil)
    }
}
