import Telemetry
import TokenManager

/// oauthtop's own metric families (`oauthtop_*`), beside the token manager's `oauth_*` ones
/// (``OAuthMetricNames``).
public enum OAuthTopMetricNames {
    /// Counter `{provider, consumer, outcome}`: tokens handed to consumers outside the manager: sink
    /// writes (`consumer="sink"`), exec'd tasks' token files (`"exec"`), socket requests (`"socket"`).
    public static let tokenRequests = "oauth_token_requests_total"
    /// Gauge `{provider}`: tasks `oauthtop exec` runs now.
    public static let execTasksRunning = "oauthtop_exec_tasks_running"
    /// Histogram (timer, seconds) `{provider}`: how long exec'd tasks ran.
    public static let execTaskDuration = "oauthtop_exec_task_duration_seconds"

    /// The families of the token consumers: sinks, exec'd tasks (and the socket).
    public static let consumers: [MetricDescription] = [
        MetricDescription(
            name: tokenRequests,
            help: "Tokens handed to consumers outside the manager (socket requests, sink writes, exec'd tasks' "
                + "files), per provider, consumer and outcome.",
            type: .counter
        ),
        MetricDescription(
            name: execTasksRunning,
            help: "Tasks oauthtop exec is running, per provider.",
            type: .gauge
        ),
        MetricDescription(
            name: execTaskDuration,
            help: "How long tasks run by oauthtop exec ran, in seconds, per provider.",
            type: .histogram
        ),
    ]

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
}

extension TelemetryCollector {
    /// Registers the help texts of every family oauthtop emits: the token manager's
    /// (``OAuthMetricNames/all``, ``OAuthMetricNames/coordination``) and oauthtop's own
    /// (``OAuthTopMetricNames/alerting``, ``OAuthTopMetricNames/consumers``, the proxies' ``ProxyMetrics/descriptions``).
    public func describeOAuthMetrics() {
        self.describe(
            OAuthMetricNames.all + OAuthMetricNames.coordination + OAuthTopMetricNames.alerting
                + OAuthTopMetricNames.consumers + ProxyMetrics.descriptions
        )
    }
}
