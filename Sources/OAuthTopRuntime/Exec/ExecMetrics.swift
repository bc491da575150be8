import CoreMetrics

/// The metrics of tasks `oauthtop exec` runs, for one provider: `oauthtop_exec_tasks_running` and
/// `oauthtop_exec_task_duration_seconds`. Tokens that expired while a task held them are counted by
/// the manager that handed them out (`oauth_token_expired_during_task_total`): the task's keeper asks
/// it again before and after each expiry, which is when the manager counts.
public struct ExecMetrics: Sendable {
    let running: Gauge
    let duration: Timer

    public init(provider: String, factory: any MetricsFactory) {
        let labels = [("provider", provider)]
        self.running = Gauge(label: OAuthTopMetricNames.execTasksRunning, dimensions: labels, factory: factory)
        self.duration = Timer(label: OAuthTopMetricNames.execTaskDuration, dimensions: labels, factory: factory)
        self.running.record(0)
    }
}
