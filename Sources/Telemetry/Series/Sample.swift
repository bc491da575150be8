/// One stored value of a time series.
public struct Sample: Hashable, Sendable {
    /// Milliseconds since the Unix epoch, as given to ``TelemetryCollector/sample(at:)``.
    public var timestamp: Int64
    /// The value at that time (cumulative for counters and histogram buckets).
    public var value: Double

    /// Creates a sample.
    ///
    /// - Parameters:
    ///   - timestamp: Milliseconds since the Unix epoch.
    ///   - value: The value.
    public init(timestamp: Int64, value: Double) {
        self.timestamp = timestamp
        self.value = value
    }
}
