/// One expected firing alert: its labels (without `alertname`, which the test adds) and its annotations.
public struct ExpectedAlert: Sendable, Hashable {
    /// The alert's labels: the series' labels and the rule's labels, expanded.
    public var labels: [String: String]
    /// The alert's annotations, expanded.
    public var annotations: [String: String]

    public init(labels: [String: String] = [:], annotations: [String: String] = [:]) {
        self.labels = labels
        self.annotations = annotations
    }
}
