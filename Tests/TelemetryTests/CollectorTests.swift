import Metrics
import Testing
import TokenManager

@testable import Telemetry

@Suite("Collector as a swift-metrics backend")
struct CollectorTests {
    @Test func countersAddUpAcrossRecreatedHandlers() {
        let collector = TelemetryCollector()
        Counter(label: "requests_total", dimensions: [("code", "200")], factory: collector).increment(by: 2)
        Counter(label: "requests_total", dimensions: [("code", "200")], factory: collector).increment()
        Counter(label: "requests_total", dimensions: [("code", "500")], factory: collector).increment()

        #expect(collector.currentValue(name: "requests_total", labels: ["code": "200"]) == 3)
        #expect(collector.currentValue(name: "requests_total", labels: ["code": "500"]) == 1)
        #expect(collector.currentValue(name: "requests_total", labels: ["code": "404"]) == nil)
    }

    @Test func dimensionOrderDoesNotMatter() {
        let collector = TelemetryCollector()
        Counter(label: "calls_total", dimensions: [("a", "1"), ("b", "2")], factory: collector).increment()
        Counter(label: "calls_total", dimensions: [("b", "2"), ("a", "1")], factory: collector).increment()
        #expect(collector.series(named: "calls_total").count == 1)
        #expect(collector.currentValue(name: "calls_total", labels: ["a": "1", "b": "2"]) == 2)
    }

    @Test func counterWithoutTotalSuffixGetsIt() {
        let collector = TelemetryCollector()
        Counter(label: "jobs", factory: collector).increment()
        #expect(collector.metricNames() == ["jobs_total"])
        #expect(collector.currentValue(name: "jobs_total") == 1)
    }

    @Test func floatingPointCounterSharesTheCounterSeries() {
        let collector = TelemetryCollector()
        FloatingPointCounter(label: "bytes_total", factory: collector).increment(by: 0.5)
        FloatingPointCounter(label: "bytes_total", factory: collector).increment(by: 0.25)
        Counter(label: "bytes_total", factory: collector).increment(by: 2)
        #expect(collector.currentValue(name: "bytes_total") == 2.75)
    }

    @Test(arguments: [Int64(-5), 0])
    func counterIgnoresNonPositiveIncrements(amount: Int64) {
        let collector = TelemetryCollector()
        let counter = Counter(label: "events_total", factory: collector)
        counter.increment(by: 4)
        counter.increment(by: amount)
        #expect(collector.currentValue(name: "events_total") == 4)
    }

    @Test(arguments: [-1.0, .nan, .infinity, 0])
    func floatingPointCounterIgnoresInvalidIncrements(amount: Double) {
        let collector = TelemetryCollector()
        let counter = FloatingPointCounter(label: "weight_total", factory: collector)
        counter.increment(by: 1.5)
        counter.increment(by: amount)
        #expect(collector.currentValue(name: "weight_total") == 1.5)
    }

    @Test func counterSaturatesInsteadOfTrapping() {
        let collector = TelemetryCollector()
        let counter = Counter(label: "huge_total", factory: collector)
        counter.increment(by: Int64.max)
        counter.increment(by: Int64.max)
        counter.increment()
        #expect(collector.currentValue(name: "huge_total") == Double(Int64.max))
    }

    @Test func counterResetGoesBackToZero() {
        let collector = TelemetryCollector()
        let counter = Counter(label: "resets_total", factory: collector)
        counter.increment(by: 7)
        counter.reset()
        counter.increment()
        #expect(collector.currentValue(name: "resets_total") == 1)
    }

    @Test func concurrentIncrementsAreNotLost() async {
        let collector = TelemetryCollector()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let counter = Counter(label: "parallel_total", factory: collector)
                    for _ in 0..<10_000 {
                        counter.increment()
                    }
                }
            }
        }
        #expect(collector.currentValue(name: "parallel_total") == 40_000)
    }

    @Test func gaugeRecorderAndMeterShareTheGaugeSeries() {
        let collector = TelemetryCollector()
        Gauge(label: "queue_depth", dimensions: [("queue", "a")], factory: collector).record(10)
        #expect(collector.currentValue(name: "queue_depth", labels: ["queue": "a"]) == 10)
        let meter = Meter(label: "queue_depth", dimensions: [("queue", "a")], factory: collector)
        meter.increment(by: 2.5)
        meter.decrement(by: 0.5)
        #expect(collector.currentValue(name: "queue_depth", labels: ["queue": "a"]) == 12)
        Recorder(label: "queue_depth", dimensions: [("queue", "a")], aggregate: false, factory: collector).record(-3)
        #expect(collector.currentValue(name: "queue_depth", labels: ["queue": "a"]) == -3)
        Gauge(label: "queue_depth", dimensions: [("queue", "a")], factory: collector).record(Double.nan)
        #expect(collector.currentValue(name: "queue_depth", labels: ["queue": "a"]) == -3)
        #expect(collector.metricDescription(named: "queue_depth")?.type == .gauge)
    }

    @Test func destroyRemovesTheSeries() {
        let collector = TelemetryCollector()
        let kept = Counter(label: "conn_total", dimensions: [("side", "kept")], factory: collector)
        let gone = Counter(label: "conn_total", dimensions: [("side", "gone")], factory: collector)
        kept.increment()
        gone.increment()
        gone.destroy()
        #expect(collector.series(named: "conn_total").map(\.labels) == [["side": "kept"]])

        let timer = Timer(label: "op_seconds", factory: collector)
        timer.recordSeconds(1)
        timer.destroy()
        let gauge = Gauge(label: "level", factory: collector)
        gauge.record(1)
        gauge.destroy()
        #expect(collector.metricNames() == ["conn_total"])
        #expect(!collector.exposition().contains("op_seconds"))
    }

    @Test func aLabelUsedByAnotherTypeDoesNotChangeTheFamily() {
        let collector = TelemetryCollector()
        Counter(label: "mixed_total", factory: collector).increment()
        Gauge(label: "mixed_total", factory: collector).record(99)
        Timer(label: "mixed_total", factory: collector).recordSeconds(1)
        #expect(collector.currentValue(name: "mixed_total") == 1)
        #expect(collector.metricDescription(named: "mixed_total")?.type == .counter)
        #expect(collector.exposition().components(separatedBy: "# TYPE mixed_total").count == 2)
    }

    @Test func familiesDoNotClashWithHistogramSampleNames() {
        let collector = TelemetryCollector(configuration: .init(histogramBuckets: [1]))
        Timer(label: "op_seconds", factory: collector).recordSeconds(2)
        Gauge(label: "op_seconds_count", factory: collector).record(42)
        Gauge(label: "io_sum", factory: collector).record(1)
        Recorder(label: "io", factory: collector).record(5)
        #expect(collector.currentValue(name: "op_seconds_count") == 1)
        #expect(collector.metricNames() == ["io_sum", "op_seconds_bucket", "op_seconds_count", "op_seconds_sum"])
    }

    @Test func namesAndLabelNamesAreSanitized() {
        let collector = TelemetryCollector()
        Gauge(label: "hb.requests-in flight", dimensions: [("http.method", "GET"), ("9x", "y")], factory: collector)
            .record(1)
        #expect(collector.metricNames() == ["hb_requests_in_flight"])
        #expect(
            collector.series(named: "hb_requests_in_flight").first?.labels == ["http_method": "GET", "_9x": "y"]
        )
    }

    @Test func oauthMetricNamesAreTheDesignNames() {
        #expect(
            OAuthMetricNames.all.map(\.name) == [
                "oauth_refresh_attempts_total", "oauth_refresh_failures_total", "oauth_refresh_duration_seconds",
                "oauth_token_lifetime_seconds", "oauth_token_expires_in_seconds",
                "oauth_token_expiration_timestamp_seconds", "oauth_fallback_auth_used_total",
                "oauth_circuit_breaker_state", "oauth_emergency_mode", "oauth_refresh_conflicts_total",
                "oauth_token_expired_during_task_total", "oauth_rate_limited_total",
            ]
        )
        let collector = TelemetryCollector()
        collector.describe(OAuthMetricNames.all)
        for description in OAuthMetricNames.all {
            #expect(collector.metricDescription(named: description.name) == description)
        }
    }
}
