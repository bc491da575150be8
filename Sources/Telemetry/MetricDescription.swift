/// The help text (and optionally the type) registered for a metric family.
///
/// Registered with ``TelemetryCollector/describe(_:help:type:)``; families without one are exported with a
/// generic help text.
public struct MetricDescription: Hashable, Sendable {
    /// The family name, e.g. `oauth_refresh_attempts_total`.
    public var name: String
    /// The text of the `# HELP` line.
    public var help: String
    /// The intended type; the type of the recorded series wins on the `# TYPE` line.
    public var type: MetricType?

    /// Creates a description.
    ///
    /// - Parameters:
    ///   - name: The family name.
    ///   - help: The text of the `# HELP` line.
    ///   - type: The intended type, if known.
    public init(name: String, help: String, type: MetricType? = nil) {
        self.name = name
        self.help = help
        self.type = type
    }
}
