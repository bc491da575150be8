/// A receiver of alert notifications: Slack, Alertmanager, PagerDuty, a webhook, a command, stdout.
///
/// A notifier formats and delivers; queueing, timeouts and retries belong to
/// `NotificationDispatcher`, which calls `deliver` from one task per notifier.
public protocol Notifier: Sendable {
    /// The name the configuration and the metrics know this notifier by.
    var name: String { get }

    /// Whether this notifier receives periodic re-sends of unchanged alerts (`isResend`).
    var wantsResends: Bool { get }

    /// The most alerts `deliver` takes at once: 1 for receivers whose API takes one alert per
    /// request, more where one request carries many (Alertmanager, webhooks, stdout).
    var batchLimit: Int { get }

    /// Delivers `batch` (at most `batchLimit` alerts) in one attempt.
    ///
    /// - Throws: `NotifierError` saying whether the attempt may be retried.
    func deliver(_ batch: [AlertNotification]) async throws
}

extension Notifier {
    public var wantsResends: Bool { false }
    public var batchLimit: Int { 1 }
}
