import Primitives

/// One configured notifier: its kind with the kind's fields, and its delivery policy.
///
/// Secrets (Slack and webhook URLs, webhook header values, the PagerDuty routing key) are
/// `Secret`s, so printing settings shows fingerprints only.
public struct NotifierSettings: Sendable, Hashable {
    /// What kind of receiver, with the fields that kind needs.
    public enum Kind: Sendable, Hashable {
        /// JSON lines on standard output.
        case stdout
        /// A Slack incoming webhook.
        case slack(url: Secret)
        /// Prometheus Alertmanager's API v2 at `url` (not a secret).
        case alertmanager(url: String)
        /// PagerDuty Events API v2; `url` defaults to `PagerDutyNotifier.defaultURL`.
        case pagerDuty(routingKey: Secret, url: String?)
        /// A generic JSON webhook with optional extra headers.
        case webhook(url: Secret, headers: [String: Secret])
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
