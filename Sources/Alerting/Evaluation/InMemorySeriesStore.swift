import Synchronization
import Telemetry

/// A series store in memory, for rule unit tests (as `promtool test rules` loads series) and the tests of the
/// evaluator.
///
/// Samples must be appended in time order per series; an out-of-order sample is ignored, as a Prometheus
/// TSDB rejects it. Values may be ``StaleMarker/value``. Series are read in the order they were created,
/// as a Prometheus head block returns them (by series reference), so results are the same on every run.
/// (promtool creates its input series in Go map order, so its own `topk` ties vary from run to run.)
public final class InMemorySeriesStore: SeriesSource {
    private struct Stored: Sendable {
        var labels: [LabelPair]
        var timestamps: [Int64] = []
        var values: [Double] = []

        mutating func append(timestamp: Int64, value: Double) {
            if let last = self.timestamps.last, timestamp <= last {
                return
            }
            self.timestamps.append(timestamp)
            self.values.append(value)
        }
    }

    /// The series of one metric name, in creation order, with an index by labels.
    private struct Family: Sendable {
        var index: [Labels: Int] = [:]
        var series: [Stored] = []

        mutating func append(_ labels: Labels, timestamp: Int64, value: Double) {
            if let position = self.index[labels] {
                self.series[position].append(timestamp: timestamp, value: value)
                return
            }
            self.index[labels] = self.series.count
            var stored = Stored(labels: labels.droppingMetricName.pairs)
            stored.append(timestamp: timestamp, value: value)
            self.series.append(stored)
        }

        mutating func removeSamples(before timestamp: Int64, name: String) {
            var emptied = false
            for position in self.series.indices {
                guard let first = self.series[position].timestamps.first, first < timestamp else { continue }
                let keep = InMemorySeriesStore.firstIndex(in: self.series[position].timestamps, notBefore: timestamp)
                self.series[position].timestamps.removeFirst(keep)
                self.series[position].values.removeFirst(keep)
                emptied = emptied || self.series[position].timestamps.isEmpty
            }
            guard emptied else { return }
            self.series.removeAll { $0.timestamps.isEmpty }
            self.index = [:]
            for (position, stored) in self.series.enumerated() {
                self.index[Labels(name: name, labels: stored.labels)] = position
            }
        }
    }

    private let storage = Mutex<[String: Family]>([:])

    /// Creates an empty store.
    public init() {}

    /// Appends one sample to the series with these labels (their `__name__` is the metric name).
    ///
    /// - Parameters:
    ///   - labels: The series' labels; must include `__name__`.
    ///   - timestamp: Milliseconds.
    ///   - value: The value.
    public func append(_ labels: Labels, timestamp: Int64, value: Double) {
        guard let name = labels.metricName else { return }
        self.storage.withLock { storage in
            // Mutate in place: copying the family out and back would cost O(series) per sample.
            storage[name, default: Family()].append(labels, timestamp: timestamp, value: value)
        }
    }

    /// Forgets samples before `timestamp` (milliseconds) and series left without samples.
    ///
    /// Runs after every evaluation round: series with nothing old are left alone, and a family's index is
    /// rebuilt only when one of its series is gone.
    public func removeSamples(before timestamp: Int64) {
        self.storage.withLock { storage in
            for name in Array(storage.keys) {
                storage[name]?.removeSamples(before: timestamp, name: name)
                if storage[name]?.series.isEmpty == true {
                    storage[name] = nil
                }
            }
        }
    }

    /// Removes every series.
    public func removeAll() {
        self.storage.withLock { $0.removeAll() }
    }

    public func metricNames() -> [String] {
        self.storage.withLock { Array($0.keys) }.sorted()
    }

    public func hasSeries(named name: String) -> Bool {
        self.storage.withLock { !($0[name]?.series.isEmpty ?? true) }
    }

    public func forEachSeries(
        named name: String,
        in range: ClosedRange<Int64>,
        _ body: (_ labels: [LabelPair], _ samples: SampleWindow) throws -> Void
    ) rethrows {
        // In creation order (see the type's documentation): the same on every run.
        let series = self.storage.withLock { $0[name]?.series ?? [] }
        for stored in series {
            let lower = Self.firstIndex(in: stored.timestamps, notBefore: range.lowerBound)
            let upper =
                range.upperBound == .max
                ? stored.timestamps.count : Self.firstIndex(in: stored.timestamps, notBefore: range.upperBound + 1)
            try stored.timestamps.withUnsafeBufferPointer { timestamps in
                try stored.values.withUnsafeBufferPointer { values in
                    let count = max(0, upper - lower)
                    let window = SampleWindow(
                        timestamps: UnsafeBufferPointer(rebasing: timestamps[lower..<(lower + count)]),
                        values: UnsafeBufferPointer(rebasing: values[lower..<(lower + count)])
                    )
                    try body(stored.labels, window)
                }
            }
        }
    }

    fileprivate static func firstIndex(in timestamps: [Int64], notBefore timestamp: Int64) -> Int {
        var low = 0
        var high = timestamps.count
        while low < high {
            let mid = (low + high) / 2
            if timestamps[mid] < timestamp {
                low = mid + 1
            } else {
                high = mid
            }
        }
        return low
    }
}
