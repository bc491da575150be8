import AsyncHTTPClient

/// One configured notifier: its kind with the kind's fields, and its delivery policy.
///
/// Secrets (Slack and webhook URLs, webhook header values, the PagerDuty routing key) are
/// `NotifierSecret`s, so printing settings shows fingerprints only.
public struct NotifierSettings: Sendable, Hashable {
    /// What kind of receiver, with the fields that kind needs.
    public enum Kind: Sendable, Hashable {
        /// JSON lines on standard output.
        case stdout
        /// A Slack incoming webhook.
        case slack(url: NotifierSecret)
        /// Prometheus Alertmanager's API v2 at `url` (not a secret).
        case alertmanager(url: String)
        /// PagerDuty Events API v2; `url` defaults to `PagerDutyNotifier.defaultURL`.
        case pagerDuty(routingKey: NotifierSecret, url: String?)
        /// A generic JSON webhook with optional extra headers.
        case webhook(url: NotifierSecret, headers: [String: NotifierSecret])
        /// A program run with the alert on its standard input.
        case command(argv: [String])

        /// The `type:` word of this kind in the configuration file.
        public var typeName: String {
            switch self {
            case .stdout: return "stdout"
            case .slack: return "slack"
            case .alertmanager: return "alertmanager"
            case .pagerDuty: return "pagerduty"
            case .webhook: return "webhook"
            case .command: return "command"
            }
        }
    }

    public var kind: Kind
    /// Queue capacity, attempt timeout and retries.
    public var delivery: DeliveryPolicy

    public init(kind: Kind, delivery: DeliveryPolicy = DeliveryPolicy()) {
        self.kind = kind
        self.delivery = delivery
    }

    /// The `type:` words, as the configuration file accepts them.
    public static let typeNames = ["stdout", "slack", "alertmanager", "pagerduty", "webhook", "command"]
}

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
        notifiers: [String: NotifierSettings] = ["stdout": NotifierSettings(kind: .stdout)],
        routes: [String: [String]] = [:],
        defaultRoute: [String] = ["stdout"]
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

/// Builds the notifier for `settings`.
///
/// - Parameters:
///   - name: The notifier's name.
///   - settings: Its kind and fields; `delivery.attemptTimeout` bounds each request or command run.
///   - httpClient: The client HTTP notifiers post with.
///   - lineWriter: Where the stdout notifier writes; standard output by default.
/// - Returns: The notifier.
public func makeNotifier(
    name: String,
    settings: NotifierSettings,
    httpClient: HTTPClient,
    lineWriter: NotificationLineWriter? = nil
) -> any Notifier {
    let timeout = settings.delivery.attemptTimeout
    switch settings.kind {
    case .stdout:
        return StdoutNotifier(name: name, writer: lineWriter ?? NotificationLineWriter())
    case .slack(let url):
        return SlackNotifier(name: name, url: url, httpClient: httpClient, timeout: timeout)
    case .alertmanager(let url):
        return AlertmanagerNotifier(name: name, baseURL: url, httpClient: httpClient, timeout: timeout)
    case .pagerDuty(let routingKey, let url):
        return PagerDutyNotifier(
            name: name, routingKey: routingKey, url: url ?? PagerDutyNotifier.defaultURL,
            httpClient: httpClient, timeout: timeout
        )
    case .webhook(let url, let headers):
        return WebhookNotifier(name: name, url: url, headers: headers, httpClient: httpClient, timeout: timeout)
    case .command(let argv):
        return CommandNotifier(name: name, argv: argv, timeout: timeout)
    }
}
