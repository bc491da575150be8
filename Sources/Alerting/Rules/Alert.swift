/// The state of one alert, as Prometheus names them.
public enum AlertState: String, Sendable, Hashable, Codable {
    case inactive
    case pending
    case firing
}

/// One alert of a rule: one element of the rule's result, identified by its labels.
public struct Alert: Sendable, Hashable {
    /// The labels: the element's (without `__name__`), the rule's, and `alertname`.
    public var labels: Labels
    /// The expanded annotations.
    public var annotations: [String: String]
    public var state: AlertState
    /// The expression's value for this alert at the last evaluation that saw it.
    public var value: Double
    /// When the alert became pending (milliseconds).
    public var activeAt: Int64
    /// When it started firing.
    public var firedAt: Int64?
    /// When it resolved (became inactive after pending or firing).
    public var resolvedAt: Int64?
    /// When it was last handed to the notifiers.
    public var lastSentAt: Int64?
    /// The state it had when last sent, to tell a re-send from news.
    public var lastSentState: AlertState?
    /// Since when it has been kept firing by `keep_firing_for` without matching.
    public var keepFiringSince: Int64?
    /// Until when the last notification is valid (Alertmanager's `endsAt` for a firing alert).
    public var validUntil: Int64?
    /// The rule's `action:` route, if any.
    public var action: String?

    /// Creates an alert (the state machine makes them; tests and receivers may too).
    public init(
        labels: Labels,
        annotations: [String: String] = [:],
        state: AlertState,
        value: Double,
        activeAt: Int64,
        firedAt: Int64? = nil,
        resolvedAt: Int64? = nil,
        validUntil: Int64? = nil,
        action: String? = nil
    ) {
        self.labels = labels
        self.annotations = annotations
        self.state = state
        self.value = value
        self.activeAt = activeAt
        self.firedAt = firedAt
        self.resolvedAt = resolvedAt
        self.validUntil = validUntil
        self.action = action
    }

    /// The alert's name.
    public var name: String { self.labels["alertname"] }
}
