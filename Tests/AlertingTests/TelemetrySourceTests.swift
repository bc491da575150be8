import Alerting
import CoreMetrics
import Telemetry
import Testing

/// The evaluator over the Telemetry collector's ring buffers (read in place, in up to two runs) gives what
/// it gives over the same samples in a plain in-memory store, resets included, wherever the ring wraps.
@Suite("Evaluation over Telemetry's ring buffers")
struct TelemetrySourceTests {
    @Test(
        "rate and increase across resets at every position of the wrap",
        arguments: Array(0..<12)
    )
    func resetAtEveryWrapPosition(resetAt: Int) throws {
        let collector = TelemetryCollector(configuration: .init(retention: .seconds(10), resolution: .seconds(1)))
        let gauge = collector.makeRecorder(label: "c_total", dimensions: [("job", "a")], aggregate: false)
        let store = InMemorySeriesStore()
        let labels = Labels(["__name__": "c_total", "job": "a"])
        var value = 5.0
        for second in 0..<23 {
            value = second == resetAt + 11 ? 1 : value + Double(second % 4)
            gauge.record(value)
            collector.sample(at: Int64(second) * 1000)
            store.append(labels, timestamp: Int64(second) * 1000, value: value)
        }
        for text in ["rate(c_total[9s])", "increase(c_total[7s])", "resets(c_total[9s])", "irate(c_total[9s])"] {
            let expression = try RuleExpression.parse(text)
            let fromRing = try Evaluator(source: collector).evaluate(expression, at: 22_500)
            let fromStore = try Evaluator(source: store).evaluate(expression, at: 22_500)
            #expect(fromRing == fromStore, "\(text)")
            #expect(!fromRing.elements.isEmpty)
        }
    }
}
