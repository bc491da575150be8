/// Notifiers: delivery of alert notifications to receivers.
///
/// This target owns the notification payload handed over by the runtime, one bounded queue per
/// receiver with timeouts, retries with backoff and counters of dropped and failed notifications, and
/// the receivers themselves: stdout JSON lines, Slack incoming webhooks, Prometheus Alertmanager
/// (API v2), PagerDuty Events API v2, generic JSON webhooks and a command fed JSON on stdin.
///
/// It must not evaluate rules or decide alert states (Alerting does), read configuration files
/// (OAuthTopConfig does), or block its caller: enqueueing never waits for a receiver.
enum Notifiers {}
