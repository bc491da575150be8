import Alerting
import AsyncHTTPClient
import Foundation
import Logging
import Notifiers
import OAuthTopConfig
import ServiceLifecycle
import Telemetry
import TokenManager

/// The alerting side of a run: the rule evaluator and, when notifiers are configured, the dispatcher that
/// delivers each alert to the notifiers its rule's `action:` routes to.
public struct AlertingSetup: Sendable {
    public let evaluation: AlertEvaluationService
    public let dispatcher: NotificationDispatcher?

    /// Builds the evaluator and the notifiers.
    ///
    /// - Parameters:
    ///   - groups: The rule groups to evaluate.
    ///   - settings: The `alerting:` section; `nil` means no notifiers (alerts appear as JSON event lines
    ///     and in the dashboard only).
    ///   - interval: Overrides the settings' evaluation interval (the demo evaluates every second).
    ///   - collector: The series the rules read, and where the notifiers' counters are recorded.
    ///   - statePath: Where alerts are kept across restarts (`alerts.json` in the state directory).
    ///   - manager: The token manager whose providers the rules watch: the emergency alert's notifications
    ///     then list each method's error (``EmergencyAnnotations``).
    public init(
        groups: [RuleGroup],
        settings: AlertingSettings?,
        interval: Duration? = nil,
        collector: TelemetryCollector,
        statePath: String? = nil,
        manager: OAuthTokenManager? = nil,
        logger: Logger
    ) {
        let settings = settings ?? AlertingSettings(notifiers: [:], routes: [:], defaultRoute: [])
        var dispatcher: NotificationDispatcher?
        if !settings.notifiers.isEmpty {
            let notifiers = settings.notifiers.keys.sorted().compactMap { name in
                settings.notifiers[name].map { makeNotifier(name: name, settings: $0, httpClient: .shared) }
            }
            dispatcher = NotificationDispatcher(
                notifiers: notifiers,
                policies: settings.deliveryPolicies,
                metricsFactory: collector,
                logger: logger
            )
        }
        let delivery = dispatcher
        self.dispatcher = dispatcher
        self.evaluation = AlertEvaluationService(
            groups: groups,
            collector: collector,
            interval: interval ?? settings.evaluationInterval,
            statePath: statePath,
            logger: logger
        ) { due in
            guard let delivery else { return }
            // Read once per evaluation, and only when an emergency alert is due.
            var emergencies: [String: EmergencyStatus] = [:]
            if due.contains(where: { $0.alert.name == DefaultRules.emergencyAlertName }) {
                for snapshot in manager?.snapshot() ?? [] { emergencies[snapshot.name] = snapshot.emergency }
            }
            var byRoute: [[String]: [AlertNotification]] = [:]
            for item in due {
                var notification = Self.notification(item)
                notification.annotations = EmergencyAnnotations.annotations(of: item.alert) { emergencies[$0] }
                byRoute[settings.notifierNames(forAction: item.route), default: []].append(notification)
            }
            for (names, notifications) in byRoute where !names.isEmpty {
                delivery.enqueue(notifications, to: names)
            }
        }
    }

    /// The services to run: the evaluator, then the dispatcher (which drains its queues at shutdown).
    public var services: [any Service] {
        [self.evaluation] + (self.dispatcher.map { [$0] } ?? [])
    }

    /// The notification for an alert, as Prometheus sends it: `startsAt` when it became active, `endsAt`
    /// its resolution time or, while firing, the validity of this notification.
    static func notification(_ item: AlertEvaluationService.Notification) -> AlertNotification {
        let alert = item.alert
        let resolved = alert.state == .inactive
        let endsAt = resolved ? alert.resolvedAt : alert.validUntil
        return AlertNotification(
            status: resolved ? .resolved : .firing,
            labels: alert.labels.dictionary,
            annotations: alert.annotations,
            startsAt: Date(timeIntervalSince1970: Double(alert.activeAt) / 1000),
            endsAt: endsAt.map { Date(timeIntervalSince1970: Double($0) / 1000) },
            value: alert.value,
            isResend: item.isResend
        )
    }
}
