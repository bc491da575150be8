import Telemetry

/// Where the evaluator reads series from: the Telemetry collector at run time, an
/// ``InMemorySeriesStore`` in rule unit tests.
public protocol SeriesSource: Sendable {
    /// Every metric name with at least one series (for `{__name__=~"..."}` selectors).
    func metricNames() -> [String]
    /// Whether any series has this metric name.
    func hasSeries(named name: String) -> Bool
    /// Calls `body` for every series named `name` with its labels (without `__name__`, any order) and a view
    /// of its samples with timestamps in `range` (inclusive, milliseconds).
    func forEachSeries(
        named name: String,
        in range: ClosedRange<Int64>,
        _ body: (_ labels: [LabelPair], _ samples: SampleWindow) throws -> Void
    ) rethrows
}

extension TelemetryCollector: SeriesSource {}

/// Prometheus's staleness marker: a NaN with a payload that no arithmetic produces. A sample with this
/// value ends a series for instant selectors and is skipped by range functions.
public enum StaleMarker {
    /// The marker's bit pattern (`0x7ff0000000000002`, as Prometheus's `value.StaleNaN`).
    public static let bitPattern: UInt64 = 0x7ff0_0000_0000_0002
    /// The marker as a value.
    public static let value = Double(bitPattern: bitPattern)

    /// Whether a value is the marker (an ordinary NaN is not).
    @inline(__always)
    public static func isStale(_ value: Double) -> Bool { value.bitPattern == self.bitPattern }
}
