import CoreMetrics
import Primitives
import Synchronization

/// A gauge series: the handler behind swift-metrics' `Gauge`, `Recorder(aggregate: false)` and `Meter`
/// for one label set.
///
/// The value is an atomic `Double` (kept as its bit pattern): no lock and no allocation per update. NaN
/// updates are dropped so one bad reading cannot poison a panel.
final class GaugeSeries: StoredSeries, RecorderHandler, MeterHandler {
    let family: String
    let labels: LabelSet
    let channels: [SeriesChannel]
    let history: SeriesHistory
    var type: MetricType { .gauge }

    private let bits = Atomic<UInt64>(Double.zero.bitPattern)

    init(family: String, labels: LabelSet, capacity: Int) {
        self.family = family
        self.labels = labels
        self.channels = [SeriesChannel(name: family, labels: labels.pairs)]
        self.history = SeriesHistory(capacity: capacity, channelCount: 1)
    }

    /// The current value.
    var value: Double {
        Double(bitPattern: self.bits.load(ordering: .relaxed))
    }

    func currentValues() -> [Double] {
        [self.value]
    }

    func sample(at timestamp: Int64) {
        let value = self.value
        self.history.ring.withLock { $0.append(timestamp: timestamp, value: value) }
    }

    func record(_ value: Int64) {
        self.set(Double(value))
    }

    func record(_ value: Double) {
        self.set(value)
    }

    func set(_ value: Int64) {
        self.set(Double(value))
    }

    func set(_ value: Double) {
        guard !value.isNaN else { return }
        self.bits.store(value.bitPattern, ordering: .relaxed)
    }

    func increment(by amount: Double) {
        self.add(amount)
    }

    func decrement(by amount: Double) {
        self.add(-amount)
    }

    private func add(_ amount: Double) {
        guard !amount.isNaN else { return }
        var current = self.bits.load(ordering: .relaxed)
        while true {
            let next = Double(bitPattern: current) + amount
            guard !next.isNaN else { return }
            let (exchanged, original) = self.bits.compareExchange(
                expected: current,
                desired: next.bitPattern,
                ordering: .relaxed
            )
            if exchanged { return }
            current = original
        }
    }
}
