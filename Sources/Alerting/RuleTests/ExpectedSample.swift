/// One expected sample of a ``PromQLExprTest``.
public struct ExpectedSample: Sendable, Hashable {
    /// The series as written, e.g. `job:up:sum{job="node"}` or `{job="node"}`.
    public var labels: String
    /// The value, compared exactly (NaN never equals a result, as in promtool 2.42).
    public var value: Double

    public init(labels: String, value: Double) {
        self.labels = labels
        self.value = value
    }
}
