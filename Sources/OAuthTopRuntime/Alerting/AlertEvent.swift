import TokenManager

/// Something the alert evaluation reports: an alert changing state, or a rule that could not be evaluated.
///
/// A type of its own beside the token manager's ``TokenEvent``: the event log and the JSON event stream hold
/// either (``RuntimeEvent``). Fields are only alert names, labels, severities, values, actions, summaries and
/// rule errors, never a token or a secret.
public struct AlertEvent: Sendable {
    /// What happened.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// An alert's condition holds; it waits for its rule's `for`.
        public static let pending = Kind("alert_pending")
        /// An alert fires: notifiers are told.
        public static let firing = Kind("alert_firing")
        /// A firing alert stopped (its condition no longer holds and `keep_firing_for` is over).
        public static let resolved = Kind("alert_resolved")
        /// A pending alert's condition stopped holding before it fired.
        public static let cleared = Kind("alert_cleared")
        /// A rule could not be evaluated on the data.
        public static let ruleFailed = Kind("rule_failed")

        /// Whether the dashboard draws it in the error style.
        public var isAlarming: Bool { self == .firing || self == .ruleFailed }

        public var description: String { self.rawValue }
    }

    public var kind: Kind
    /// Unix nanoseconds.
    public var timestamp: Int64
    /// The alert's `provider` label, or empty.
    public var provider: String
    /// Further fields in a stable order (`alertname`, `severity`, `labels`, `value`, `action`, `summary`; or
    /// `rule` and `error`).
    public var fields: [(key: String, value: TokenEvent.Value)]

    /// Creates an event.
    public init(kind: Kind, timestamp: Int64, provider: String = "", fields: [(key: String, value: TokenEvent.Value)]) {
        self.kind = kind
        self.timestamp = timestamp
        self.provider = provider
        self.fields = fields
    }

    /// The value of field `key`, if present.
    public subscript(key: String) -> TokenEvent.Value? {
        self.fields.first { $0.key == key }?.value
    }
}
