/// The stored samples of one exported time series, as the rule evaluator and the dashboard read them.
///
/// For a histogram, every bucket (with its `le` label), `_sum` and `_count` is a series of its own, as in
/// Prometheus.
public struct SeriesSnapshot: Hashable, Sendable {
    /// The sample name, e.g. `oauth_refresh_attempts_total` or `oauth_refresh_duration_seconds_bucket`.
    public var name: String
    /// The labels, `le` included for buckets.
    public var labels: [String: String]
    /// The same labels, sorted by name: stable across calls, for grouping and display.
    public var labelPairs: [LabelPair]
    /// Samples oldest first, restricted to the requested time range.
    public var samples: [Sample]

    /// Creates a snapshot.
    ///
    /// - Parameters:
    ///   - name: The sample name.
    ///   - labelPairs: The labels (sorted here).
    ///   - samples: Samples oldest first.
    public init(name: String, labelPairs: [LabelPair], samples: [Sample]) {
        let sorted = labelPairs.sorted()
        self.name = name
        self.labelPairs = sorted
        self.labels = Dictionary(sorted.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        self.samples = samples
    }

    /// The series in Prometheus notation with sorted labels, e.g. `up{job="a",zone="b"}`: a stable key.
    public var identity: String {
        PrometheusFormat.seriesIdentity(name: self.name, labels: self.labelPairs)
    }
}
