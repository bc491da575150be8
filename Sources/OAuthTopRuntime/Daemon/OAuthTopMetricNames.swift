import Telemetry
import TokenManager

/// oauthtop's own metric families (`oauthtop_*`), beside the token manager's `oauth_*` ones
/// (``OAuthMetricNames``).
public enum OAuthTopMetricNames {
    /// The families of rule evaluation (this target's `AlertEvaluationService`) and notification
    /// delivery (Notifiers' `NotificationDispatcher`).
    public static let alerting: [MetricDescription] = [
        MetricDescription(
            name: "oauthtop_rule_evaluations_total",
            help: "Rule evaluation rounds.",
            type: .counter
        ),
        MetricDescription(
            name: "oauthtop_rule_evaluation_failures_total",
            help: "Rules whose evaluation failed on the data.",
            type: .counter
        ),
        MetricDescription(
            name: "oauthtop_rule_evaluation_duration_seconds",
            help: "Time one evaluation round of every due rule group took.",
            type: .histogram
        ),
        MetricDescription(
            name: "oauthtop_notifications_sent_total",
            help: "Alert notifications delivered, per notifier.",
            type: .counter
        ),
        MetricDescription(
            name: "oauthtop_notifications_failed_total",
            help: "Alert notifications given up after their retries, per notifier.",
            type: .counter
        ),
        MetricDescription(
            name: "oauthtop_notifications_dropped_total",
            help: "Alert notifications dropped because the notifier's queue was full, per notifier.",
            type: .counter
        ),
        MetricDescription(
            name: "oauthtop_notification_queue_length",
            help: "Alert notifications waiting in the notifier's queue.",
            type: .gauge
        ),
    ]

    /// The families of the token consumers (the token socket; later sinks and credential helpers):
    /// `oauth_token_requests_total{provider, consumer, outcome}`.
    public static let consumers: [MetricDescription] = [
        MetricDescription(
            name: "oauth_token_requests_total",
            help: "Requests for a token (and the socket's other requests), by provider, consumer and outcome.",
            type: .counter
        ),
    ]
}

extension TelemetryCollector {
    /// Registers the help texts of every family oauthtop emits: the token manager's
    /// (``OAuthMetricNames/all``) and oauthtop's own (``OAuthTopMetricNames/alerting``,
    /// ``OAuthTopMetricNames/consumers``).
    public func describeOAuthMetrics() {
        self.describe(OAuthMetricNames.all + OAuthTopMetricNames.alerting + OAuthTopMetricNames.consumers)
    }
}
