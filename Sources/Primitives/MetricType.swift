/// The Prometheus type of a metric family.
///
/// A struct with static members rather than an enum, so that new types (summary, info) can be added
/// without breaking exhaustive switches in other layers.
public struct MetricType: Hashable, Sendable, CustomStringConvertible {
    private enum Code: String, Hashable, Sendable {
        case counter
        case gauge
        case histogram
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    /// A monotonically increasing value (swift-metrics `Counter`, `FloatingPointCounter`).
    public static let counter = MetricType(.counter)
    /// A value that goes up and down (swift-metrics `Gauge`, `Meter`, `Recorder(aggregate: false)`).
    public static let gauge = MetricType(.gauge)
    /// A distribution in `le` buckets with `_sum` and `_count` (swift-metrics `Timer`, `Recorder`).
    public static let histogram = MetricType(.histogram)

    /// The name Prometheus uses on the `# TYPE` line: `counter`, `gauge` or `histogram`.
    public var description: String { self.code.rawValue }
}
