/// The help text (and optionally the type) of a metric family.
///
/// The layer that emits a family publishes its description (TokenManager's `OAuthMetricNames`);
/// the Telemetry collector registers it (`describe`) and exports families without one with a
/// generic help text. It lives here so that neither layer imports the other.
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
