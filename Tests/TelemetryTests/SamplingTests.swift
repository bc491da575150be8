import Metrics
import Synchronization
import Testing

@testable import Telemetry

@Suite("Sampling into bounded histories")
struct SamplingTests {
    @Test func capacityIsRetentionOverResolution() {
        #expect(TelemetryConfiguration().sampleCapacity == 3600)
        #expect(TelemetryConfiguration(retention: .seconds(10), resolution: .milliseconds(500)).sampleCapacity == 20)
        #expect(TelemetryConfiguration(retention: .seconds(1), resolution: .seconds(3)).sampleCapacity == 1)
    }

    @Test func ringKeepsTheNewestSamplesWhenItWraps() {
        let collector = TelemetryCollector(configuration: .init(retention: .seconds(5), resolution: .seconds(1)))
        let counter = Counter(label: "ticks_total", factory: collector)
        for second in 1...12 {
            counter.increment()
            collector.sample(at: Int64(second) * 1000)
        }
        let snapshot = collector.series(named: "ticks_total")
        #expect(snapshot.count == 1)
        #expect(snapshot.first?.samples.map(\.timestamp) == [8000, 9000, 10000, 11000, 12000])
        #expect(snapshot.first?.samples.map(\.value) == [8, 9, 10, 11, 12])
    }

    @Test(arguments: [
        (2500 as Int64, 5000 as Int64, [3000 as Int64, 4000, 5000]),
        (0, 1000, [1000]),
        (5001, 9000, []),
        (4000, 4000, [4000]),
    ])
    func timeRangeIsInclusive(lower: Int64, upper: Int64, expected: [Int64]) {
        let collector = TelemetryCollector()
        let gauge = Gauge(label: "level", factory: collector)
        for second in 1...5 {
            gauge.record(second)
            collector.sample(at: Int64(second) * 1000)
        }
        let samples = collector.series(named: "level", in: lower...upper).first?.samples ?? []
        #expect(samples.map(\.timestamp) == expected)
    }

    @Test func rangeQueryAfterWrapping() {
        let collector = TelemetryCollector(configuration: .init(retention: .seconds(4), resolution: .seconds(1)))
        let gauge = Gauge(label: "level", factory: collector)
        for second in 1...10 {
            gauge.record(second)
            collector.sample(at: Int64(second) * 1000)
        }
        let samples = collector.series(named: "level", in: 8000...9500).first?.samples ?? []
        #expect(samples == [Sample(timestamp: 8000, value: 8), Sample(timestamp: 9000, value: 9)])
    }

    @Test func outOfOrderTimestampsAreIgnored() {
        let collector = TelemetryCollector()
        let gauge = Gauge(label: "level", factory: collector)
        gauge.record(1)
        collector.sample(at: 2000)
        gauge.record(2)
        collector.sample(at: 2000)
        collector.sample(at: 1000)
        collector.sample(at: 3000)
        #expect(collector.series(named: "level").first?.samples.map(\.timestamp) == [2000, 3000])
    }

    @Test func hooksRunBeforeValuesAreRead() {
        let collector = TelemetryCollector()
        let expiresAt = Mutex<Int64>(10_000)
        let clockMilliseconds = Mutex<Int64>(0)
        collector.addSampleHook {
            let remaining = expiresAt.withLock { $0 } - clockMilliseconds.withLock { $0 }
            Gauge(label: "token_expires_in_seconds", dimensions: [("provider", "demo")], factory: collector)
                .record(Double(remaining) / 1000)
        }
        for now in [Int64(1000), 4000, 12_000] {
            clockMilliseconds.withLock { $0 = now }
            collector.sample(at: now)
        }
        let samples = collector.series(named: "token_expires_in_seconds", matching: ["provider": "demo"])
        #expect(samples.first?.samples.map(\.value) == [9, 6, -2])
    }

    @Test func labelMatchersSelectSeries() {
        let collector = TelemetryCollector()
        for (provider, endpoint) in [("github", "primary"), ("github", "backup"), ("okta", "primary")] {
            Counter(
                label: "attempts_total",
                dimensions: [("provider", provider), ("endpoint", endpoint)],
                factory: collector
            ).increment()
        }
        Counter(label: "attempts_total", dimensions: [("provider", "bare")], factory: collector).increment()
        collector.sample(at: 1000)

        let github = collector.series(named: "attempts_total", matching: ["provider": "github"])
        #expect(github.map(\.identity) == [
            "attempts_total{endpoint=\"backup\",provider=\"github\"}",
            "attempts_total{endpoint=\"primary\",provider=\"github\"}",
        ])
        let noEndpoint = collector.series(named: "attempts_total", matching: ["endpoint": ""])
        #expect(noEndpoint.map(\.labels) == [["provider": "bare"]])
        #expect(collector.series(named: "attempts_total").count == 4)
        #expect(collector.series(named: "attempts_total").allSatisfy { $0.samples.count == 1 })
        #expect(collector.series(named: "nothing").isEmpty)
    }

    @Test func histogramChannelsAreSampled() {
        let collector = TelemetryCollector(configuration: .init(histogramBuckets: [0.1, 1]))
        let timer = Timer(label: "call_seconds", factory: collector)
        timer.recordMilliseconds(50)
        collector.sample(at: 1000)
        timer.recordMilliseconds(500)
        timer.recordSeconds(3)
        collector.sample(at: 2000)

        let buckets = collector.series(named: "call_seconds_bucket")
        #expect(buckets.map { $0.labels["le"] } == ["0.1", "1", "+Inf"])
        #expect(buckets.map { $0.samples.map(\.value) } == [[1, 1], [1, 2], [1, 3]])
        #expect(collector.series(named: "call_seconds_count").first?.samples.map(\.value) == [1, 3])
        #expect(collector.series(named: "call_seconds_sum").first?.samples.map(\.value) == [0.05, 3.55])
        #expect(collector.metricNames() == ["call_seconds_bucket", "call_seconds_count", "call_seconds_sum"])
    }

    @Test func storageIsCompact() {
        let collector = TelemetryCollector(configuration: .init(retention: .seconds(64), resolution: .seconds(1)))
        Counter(label: "a_total", factory: collector).increment()
        for second in 1...64 {
            collector.sample(at: Int64(second) * 1000)
        }
        let statistics = collector.storageStatistics()
        #expect(statistics.series == 1)
        #expect(statistics.samples == 64)
        #expect(statistics.bytes == 64 * 16)
        #expect(statistics.reservedBytes >= statistics.bytes)
        #expect(statistics.reservedBytes <= statistics.bytes + 64)
    }
}
