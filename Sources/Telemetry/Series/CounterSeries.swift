import CoreMetrics
import Primitives
import Synchronization

/// A counter series: the handler behind swift-metrics' `Counter` and `FloatingPointCounter` for one label
/// set.
///
/// Integer increments go to an atomic `Int64` that saturates at `Int64.max` instead of trapping;
/// floating-point increments go to an atomic `Double` (kept as its bit pattern). Negative, zero, NaN and
/// infinite increments are dropped, as a counter only goes up. No allocation per increment.
final class CounterSeries: StoredSeries, CounterHandler, FloatingPointCounterHandler {
    let family: String
    let labels: LabelSet
    let channels: [SeriesChannel]
    let history: SeriesHistory
    var type: MetricType { .counter }

    private let integral = Atomic<Int64>(0)
    private let fractionalBits = Atomic<UInt64>(Double.zero.bitPattern)

    init(family: String, labels: LabelSet, capacity: Int) {
        self.family = family
        self.labels = labels
        self.channels = [SeriesChannel(name: family, labels: labels.pairs)]
        self.history = SeriesHistory(capacity: capacity, channelCount: 1)
    }

    /// The current value: the integer part plus the floating-point part.
    var value: Double {
        let integral = self.integral.load(ordering: .relaxed)
        return Double(integral) + Double(bitPattern: self.fractionalBits.load(ordering: .relaxed))
    }

    func currentValues() -> [Double] {
        [self.value]
    }

    func sample(at timestamp: Int64) {
        let value = self.value
        self.history.ring.withLock { $0.append(timestamp: timestamp, value: value) }
    }

    func increment(by amount: Int64) {
        guard amount > 0 else { return }
        var current = self.integral.load(ordering: .relaxed)
        while true {
            let (sum, overflow) = current.addingReportingOverflow(amount)
            let next = overflow ? Int64.max : sum
            let (exchanged, original) = self.integral.compareExchange(
                expected: current,
                desired: next,
                ordering: .relaxed
            )
            if exchanged { return }
            current = original
        }
    }

    func increment(by amount: Double) {
        guard amount > 0, amount.isFinite else { return }
        var current = self.fractionalBits.load(ordering: .relaxed)
        while true {
            let next = (Double(bitPattern: current) + amount).bitPattern
            let (exchanged, original) = self.fractionalBits.compareExchange(
                expected: current,
                desired: next,
                ordering: .relaxed
            )
            if exchanged { return }
            current = original
        }
    }

    func reset() {
        self.integral.store(0, ordering: .relaxed)
        self.fractionalBits.store(Double.zero.bitPattern, ordering: .relaxed)
    }
}
