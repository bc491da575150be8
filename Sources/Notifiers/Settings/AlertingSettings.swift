/// The `alerting:` section of the configuration: rule files, evaluation interval, notifiers and
/// routes from the rules' `action:` names to notifiers.
public struct AlertingSettings: Sendable, Hashable {
    /// Rule files to load; empty means the built-in seed rules.
    public var ruleFiles: [String]
    /// How often rules are evaluated.
    public var evaluationInterval: Duration
    /// The notifiers, by name.
    public var notifiers: [String: NotifierSettings]
    /// Action name (a rule's `action:`) -> notifier names.
    public var routes: [String: [String]]
    /// The notifiers for alerts whose action has no route (the `default` route).
    public var defaultRoute: [String]

    public init(
        ruleFiles: [String] = [],
        evaluationInterval: Duration = .seconds(15),
        notifiers: [String: NotifierSettings] = [:],
        routes: [String: [String]] = [:],
        defaultRoute: [String] = []
    ) {
        self.ruleFiles = ruleFiles
        self.evaluationInterval = evaluationInterval
        self.notifiers = notifiers
        self.routes = routes
        self.defaultRoute = defaultRoute
    }

    /// The notifier names for an alert with `action` (`nil` or unrouted: the default route).
    public func notifierNames(forAction action: String?) -> [String] {
        action.flatMap { self.routes[$0] } ?? self.defaultRoute
    }

    /// The delivery policies by notifier name, for `NotificationDispatcher`.
    public var deliveryPolicies: [String: DeliveryPolicy] {
        self.notifiers.mapValues(\.delivery)
    }
}
