import Primitives
import Synchronization

/// One exported sample stream of a series: a counter or gauge has one, a histogram one per bucket plus
/// `_sum` and `_count`.
struct SeriesChannel: Sendable {
    /// The sample name, e.g. `oauth_refresh_duration_seconds_bucket`.
    let name: String
    /// The labels in exposition order (`le` last for buckets).
    let labels: [LabelPair]
}

/// The sampled history of one series, behind its own lock so that sampling and queries never block the
/// handlers' hot path.
final class SeriesHistory: Sendable {
    let ring: Mutex<SampleRing>

    init(capacity: Int, channelCount: Int) {
        self.ring = Mutex(SampleRing(capacity: capacity, channelCount: channelCount))
    }
}

/// A series stored by the collector: the swift-metrics handler and its history at once.
protocol StoredSeries: AnyObject, Sendable {
    /// The family name (`# TYPE` line).
    var family: String { get }
    /// The labels from the dimensions, sorted.
    var labels: LabelSet { get }
    var type: MetricType { get }
    /// The exported sample streams, in exposition order.
    var channels: [SeriesChannel] { get }
    var history: SeriesHistory { get }
    /// The current value of every channel, in the order of ``channels``.
    func currentValues() -> [Double]
    /// Appends the current value of every channel to the history.
    func sample(at timestamp: Int64)
}

extension StoredSeries {
    func sample(at timestamp: Int64) {
        let values = self.currentValues()
        values.withUnsafeBufferPointer { buffer in
            self.history.ring.withLock { $0.append(timestamp: timestamp, values: buffer) }
        }
    }
}
