/// An alerting rule: an expression whose every result element is an alert, held `pending` for
/// ``holdDuration`` before it fires and kept firing for ``keepFiringFor`` after it stops matching.
public struct AlertingRule: Sendable, Hashable {
    /// The alert's name (the `alertname` label).
    public var name: String
    public var expression: RuleExpression
    /// `for:` in milliseconds.
    public var holdDuration: Int64
    /// `keep_firing_for:` in milliseconds.
    public var keepFiringFor: Int64
    /// Labels added to every alert (values may be templates).
    public var labels: [String: Template]
    /// Annotations (templates over `$labels` and `$value`).
    public var annotations: [String: Template]
    /// The seed format's `action:` (a route name in the notifier configuration), when given.
    public var action: String?

    /// Creates a rule.
    public init(
        name: String,
        expression: RuleExpression,
        holdDuration: Int64 = 0,
        keepFiringFor: Int64 = 0,
        labels: [String: Template] = [:],
        annotations: [String: Template] = [:],
        action: String? = nil
    ) {
        self.name = name
        self.expression = expression
        self.holdDuration = holdDuration
        self.keepFiringFor = keepFiringFor
        self.labels = labels
        self.annotations = annotations
        self.action = action
    }
}

/// A recording rule: the expression's result stored as a new series named ``name``.
public struct RecordingRule: Sendable, Hashable {
    public var name: String
    public var expression: RuleExpression
    public var labels: [String: String]

    public init(name: String, expression: RuleExpression, labels: [String: String] = [:]) {
        self.name = name
        self.expression = expression
        self.labels = labels
    }
}

/// A rule of either kind.
public enum Rule: Sendable, Hashable {
    case alerting(AlertingRule)
    case recording(RecordingRule)

    /// The alert name or the recorded series' name.
    public var name: String {
        switch self {
        case .alerting(let rule): rule.name
        case .recording(let rule): rule.name
        }
    }
}

/// Rules evaluated together, in order, on one interval.
public struct RuleGroup: Sendable, Hashable {
    public var name: String
    /// Milliseconds; `nil` means the global evaluation interval.
    public var interval: Int64?
    public var rules: [Rule]
    /// The file the group came from, for messages.
    public var file: String

    public init(name: String, interval: Int64? = nil, rules: [Rule], file: String = "") {
        self.name = name
        self.interval = interval
        self.rules = rules
        self.file = file
    }
}
