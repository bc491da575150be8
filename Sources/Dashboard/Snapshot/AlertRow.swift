/// One pending or firing alert in the alerts list.
public struct AlertRow: Sendable, Hashable, Codable {
    /// Where an alert stands.
    public struct State: Sendable, Hashable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public init(from decoder: any Decoder) throws {
            self.rawValue = try decoder.singleValueContainer().decode(String.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(self.rawValue)
        }

        /// The condition holds, but not yet for the rule's `for` duration.
        public static let pending = State(rawValue: "pending")
        /// The condition has held long enough; notifiers were told.
        public static let firing = State(rawValue: "firing")

        public var description: String { self.rawValue }
    }

    /// The alert rule's name.
    public var name: String
    public var state: State
    /// The rule's `severity` label, e.g. `critical`, `warning`.
    public var severity: String
    /// When the alert entered its state (Unix nanoseconds).
    public var since: Int64
    /// The rule's summary annotation, filled in.
    public var summary: String

    /// Creates a row.
    public init(name: String, state: State, severity: String, since: Int64, summary: String) {
        self.name = name
        self.state = state
        self.severity = severity
        self.since = since
        self.summary = summary
    }
}
