import Metrics
import Testing

@testable import Telemetry

/// The in-place views the rule evaluator reads must show exactly what the copying query returns, also when
/// the ring has wrapped and for histogram channels (values several apart).
@Suite("Sample windows: in-place views of the histories")
struct SampleWindowTests {
    static func read(_ collector: TelemetryCollector, _ name: String, _ range: ClosedRange<Int64>) -> [[Sample]] {
        var result: [[Sample]] = []
        collector.forEachSeries(named: name, in: range) { _, window in
            result.append((0..<window.count).map { Sample(timestamp: window.timestamp($0), value: window.value($0)) })
        }
        return result
    }

    static func runs(_ collector: TelemetryCollector, _ name: String, _ range: ClosedRange<Int64>) -> [Double] {
        var values: [Double] = []
        collector.forEachSeries(named: name, in: range) { _, window in
            window.forEachValueRun { base, stride, count in
                for index in 0..<count {
                    values.append(base[index * stride])
                }
            }
        }
        return values
    }

    @Test(
        "a wrapped ring read over any range equals the copied samples",
        arguments: [
            (0 as Int64, Int64.max), (3_000, 7_000), (9_000, 12_000), (11_500, 11_900), (0, 2_000), (12_000, 20_000),
        ]
    )
    func wrappedRing(lower: Int64, upper: Int64) {
        let collector = TelemetryCollector(configuration: .init(retention: .seconds(8), resolution: .seconds(1)))
        let counter = Counter(label: "c_total", factory: collector)
        for second in 1...12 {
            counter.increment(by: second)
            collector.sample(at: Int64(second) * 1000)
        }
        let copied = collector.series(named: "c_total", in: lower...upper).map(\.samples)
        #expect(Self.read(collector, "c_total", lower...upper) == copied)
        #expect(Self.runs(collector, "c_total", lower...upper) == copied.flatMap { $0.map(\.value) })
    }

    @Test("histogram buckets are read one channel at a time")
    func histogramChannels() {
        let collector = TelemetryCollector(
            configuration: .init(
                retention: .seconds(3), resolution: .seconds(1), histogramBuckets: [0.1, 1]
            ))
        let timer = Timer(label: "call_seconds", factory: collector)
        for second in 1...5 {
            timer.recordMilliseconds(second * 200)
            collector.sample(at: Int64(second) * 1000)
        }
        for name in ["call_seconds_bucket", "call_seconds_sum", "call_seconds_count"] {
            let copied = collector.series(named: name, in: 0...10_000).map(\.samples)
            #expect(Self.read(collector, name, 0...10_000) == copied)
            #expect(Self.runs(collector, name, 0...10_000) == copied.flatMap { $0.map(\.value) })
        }
        #expect(collector.hasSeries(named: "call_seconds_bucket"))
        #expect(!collector.hasSeries(named: "call_seconds"))
    }
}
