import Metrics
import Testing

@testable import Telemetry

@Suite("Histograms: buckets in seconds and HDR quantiles")
struct HistogramTests {
    @Test func timerBucketsAreCumulativeAndInSeconds() {
        let collector = TelemetryCollector()
        let timer = Timer(label: "refresh_seconds", dimensions: [("provider", "demo")], factory: collector)
        timer.recordNanoseconds(3_000_000)  // 0.003 s
        timer.recordMilliseconds(20)  // 0.02 s
        timer.recordMilliseconds(20)
        timer.recordSeconds(7)
        timer.recordSeconds(120)  // above every bound

        let expected: [(String, Double)] = [
            ("0.005", 1), ("0.01", 1), ("0.025", 3), ("0.05", 3), ("0.1", 3), ("0.25", 3), ("0.5", 3),
            ("1", 3), ("2.5", 3), ("5", 3), ("10", 4), ("30", 4), ("60", 4), ("+Inf", 5),
        ]
        for (bound, count) in expected {
            let labels = ["provider": "demo", "le": bound]
            let value = collector.currentValue(name: "refresh_seconds_bucket", labels: labels)
            #expect(value == count, "le=\(bound)")
        }
        #expect(collector.currentValue(name: "refresh_seconds_count", labels: ["provider": "demo"]) == 5)
        let sum = collector.currentValue(name: "refresh_seconds_sum", labels: ["provider": "demo"]) ?? 0
        #expect(abs(sum - 127.043) < 1e-9)
    }

    @Test func bucketOverridesPerFamily() {
        let configuration = TelemetryConfiguration(histogramBucketsByName: ["size_bytes": [1000, 10, .infinity, 10]])
        let collector = TelemetryCollector(configuration: configuration)
        Recorder(label: "size_bytes", factory: collector).record(50)
        let buckets = collector.series(named: "size_bytes_bucket")
        #expect(buckets.map { $0.labels["le"] } == ["10", "1000", "+Inf"])
    }

    @Test func aggregatingRecorderIsAHistogramOfRawValues() {
        let collector = TelemetryCollector(configuration: .init(histogramBuckets: [1, 10]))
        let recorder = Recorder(label: "batch_size", factory: collector)
        for value in [0.5, 2, 3, 50] {
            recorder.record(value)
        }
        #expect(collector.currentValue(name: "batch_size_bucket", labels: ["le": "1"]) == 1)
        #expect(collector.currentValue(name: "batch_size_bucket", labels: ["le": "10"]) == 3)
        #expect(collector.currentValue(name: "batch_size_sum") == 55.5)
        let median = collector.quantile(0.5, name: "batch_size") ?? 0
        #expect(abs(median - 2) <= 2 * 0.001)
    }

    @Test func negativeDurationsCountAsZero() {
        let collector = TelemetryCollector(configuration: .init(histogramBuckets: [1]))
        Timer(label: "skewed_seconds", factory: collector).recordNanoseconds(-5)
        #expect(collector.currentValue(name: "skewed_seconds_bucket", labels: ["le": "1"]) == 1)
        #expect(collector.currentValue(name: "skewed_seconds_sum") == 0)
    }

    @Test func hugeDurationsSaturate() {
        let collector = TelemetryCollector()
        let timer = Timer(label: "stuck_seconds", factory: collector)
        timer.recordNanoseconds(Int64.max)
        timer.recordNanoseconds(Int64.max)
        #expect(collector.currentValue(name: "stuck_seconds_count") == 2)
        #expect(collector.currentValue(name: "stuck_seconds_bucket", labels: ["le": "+Inf"]) == 2)
        let p100 = collector.quantile(1, name: "stuck_seconds") ?? 0
        #expect(abs(p100 - 3600) <= 3600 * 0.001)
    }

    @Test(arguments: [0.5, 0.9, 0.99, 1.0])
    func hdrQuantileIsExactWithinPrecision(q: Double) throws {
        let collector = TelemetryCollector()
        let timer = Timer(label: "latency_seconds", factory: collector)
        // 1 ms ... 1000 ms, once each: the q-quantile is q * 1000 ms.
        for milliseconds in 1...1000 {
            timer.recordMilliseconds(milliseconds)
        }
        let value = try #require(collector.quantile(q, name: "latency_seconds"))
        let expected = q * 1.0
        #expect(abs(value - expected) <= expected * 0.001 + 1e-6, "q=\(q) gave \(value)")
    }

    @Test func quantileMergesMatchingSeries() throws {
        let collector = TelemetryCollector()
        let fast = Timer(label: "call_seconds", dimensions: [("endpoint", "fast")], factory: collector)
        let slow = Timer(label: "call_seconds", dimensions: [("endpoint", "slow")], factory: collector)
        for _ in 0..<90 {
            fast.recordMilliseconds(10)
        }
        for _ in 0..<10 {
            slow.recordSeconds(2)
        }
        let p50 = try #require(collector.quantile(0.5, name: "call_seconds"))
        let p95 = try #require(collector.quantile(0.95, name: "call_seconds_bucket"))
        let slowP50 = try #require(collector.quantile(0.5, name: "call_seconds", labels: ["endpoint": "slow"]))
        #expect(abs(p50 - 0.01) <= 0.01 * 0.001)
        #expect(abs(p95 - 2) <= 2 * 0.001)
        #expect(abs(slowP50 - 2) <= 2 * 0.001)
    }

    @Test func concurrentTimersLoseNothing() async {
        let collector = TelemetryCollector()
        await withTaskGroup(of: Void.self) { group in
            for task in 1...4 {
                group.addTask {
                    let timer = Timer(label: "work_seconds", factory: collector)
                    for _ in 0..<1000 {
                        timer.recordMilliseconds(task)
                    }
                }
            }
        }
        #expect(collector.currentValue(name: "work_seconds_count") == 4000)
        #expect(collector.currentValue(name: "work_seconds_bucket", labels: ["le": "0.005"]) == 4000)
        let sum = collector.currentValue(name: "work_seconds_sum") ?? 0
        #expect(abs(sum - 10) < 1e-9)
        let p100 = collector.quantile(1, name: "work_seconds") ?? 0
        #expect(abs(p100 - 0.004) <= 0.004 * 0.001)
    }

    @Test func quantileIsNilWithoutData() {
        let collector = TelemetryCollector()
        _ = Timer(label: "idle_seconds", factory: collector)
        Counter(label: "count_total", factory: collector).increment()
        #expect(collector.quantile(0.5, name: "idle_seconds") == nil)
        #expect(collector.quantile(0.5, name: "missing_seconds") == nil)
        #expect(collector.quantile(0.5, name: "count_total") == nil)
        Timer(label: "idle_seconds", factory: collector).recordSeconds(1)
        #expect(collector.quantile(1.5, name: "idle_seconds") == nil)
        #expect(collector.quantile(-0.1, name: "idle_seconds") == nil)
    }
}
