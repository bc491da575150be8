/// The alerts of one alerting rule across evaluations: Prometheus's state machine.
///
/// Each evaluation turns every result element into an alert keyed by its labels. A new alert is `pending`
/// and becomes `firing` once it has been active for the rule's `for`; an alert that no longer matches is
/// dropped if pending, or becomes `inactive` (resolved) if firing, unless `keep_firing_for` keeps it firing
/// a while. Resolved alerts are kept for ``resolvedRetention`` so notifiers are told they resolved.
public struct AlertingRuleState: Sendable {
    /// How long a resolved alert is kept (and re-sent as resolved): 15 minutes, as Prometheus.
    public static let resolvedRetention: Int64 = 15 * 60_000

    public let rule: AlertingRule
    /// Active and recently resolved alerts, by labels.
    public private(set) var alerts: [Labels: Alert] = [:]

    public init(rule: AlertingRule) {
        self.rule = rule
    }

    /// A change of an alert's state in one evaluation, for event logs.
    public struct Transition: Sendable, Hashable {
        public var alert: Alert
        public var from: AlertState
        public var to: AlertState
    }

    /// Evaluates the rule at `time` and advances the alerts' states.
    ///
    /// - Returns: The state changes of this evaluation.
    /// - Throws: ``EvaluationError`` when the expression cannot be evaluated on the data (the alerts keep
    ///   their states, as Prometheus does on a failed evaluation).
    public mutating func evaluate(
        at time: Int64,
        with evaluator: Evaluator,
        externalLabels: [String: String] = [:]
    ) throws(EvaluationError) -> [Transition] {
        let result = try evaluator.evaluate(self.rule.expression, at: time)
        var seen: Set<Labels> = []
        var transitions: [Transition] = []
        for element in result.elements {
            let base = element.labels.droppingMetricName
            var labels = base
            for (name, template) in self.rule.labels.sorted(by: { $0.key < $1.key }) {
                labels = labels.setting(
                    name, to: template.expand(labels: base, value: element.value, externalLabels: externalLabels))
            }
            labels = labels.setting("alertname", to: self.rule.name)
            var annotations: [String: String] = [:]
            for (name, template) in self.rule.annotations {
                annotations[name] = template.expand(labels: base, value: element.value, externalLabels: externalLabels)
            }
            guard seen.insert(labels).inserted else {
                throw EvaluationError(
                    "vector contains metrics with the same labelset after applying alert labels: \(labels)")
            }
            if var alert = self.alerts[labels], alert.state != .inactive {
                alert.value = element.value
                alert.annotations = annotations
                self.alerts[labels] = alert
                continue
            }
            self.alerts[labels] = Alert(
                labels: labels,
                annotations: annotations,
                state: .pending,
                value: element.value,
                activeAt: time,
                action: self.rule.action
            )
        }
        for (labels, var alert) in self.alerts {
            let before = alert.state
            if !seen.contains(labels) {
                var keepFiring = false
                if alert.state == .firing, self.rule.keepFiringFor > 0 {
                    let since = alert.keepFiringSince ?? time
                    alert.keepFiringSince = since
                    keepFiring = time - since < self.rule.keepFiringFor
                }
                if alert.state == .pending
                    || (alert.resolvedAt.map { time - $0 > Self.resolvedRetention } ?? false)
                {
                    self.alerts[labels] = nil
                    if alert.state == .pending {
                        alert.state = .inactive
                        alert.resolvedAt = time
                        transitions.append(Transition(alert: alert, from: before, to: .inactive))
                    }
                    continue
                }
                if alert.state != .inactive, !keepFiring {
                    alert.state = .inactive
                    alert.resolvedAt = time
                }
                self.alerts[labels] = alert
                if alert.state != before {
                    transitions.append(Transition(alert: alert, from: before, to: alert.state))
                }
                if !keepFiring {
                    continue
                }
            } else {
                alert.keepFiringSince = nil
            }
            if alert.state == .pending, time - alert.activeAt >= self.rule.holdDuration {
                alert.state = .firing
                alert.firedAt = time
            }
            self.alerts[labels] = alert
            if alert.state != before {
                transitions.append(Transition(alert: alert, from: before, to: alert.state))
            }
        }
        return transitions.sorted { $0.alert.labels < $1.alert.labels }
    }

    /// Puts back alerts saved before a restart (this rule's only), so a firing alert goes on firing without
    /// being announced again and a pending one keeps its `for` clock, as Prometheus restores `for` state.
    public mutating func restore(_ saved: [Alert]) {
        for alert in saved where alert.name == self.rule.name {
            self.alerts[alert.labels] = alert
        }
    }

    /// The pending and firing alerts, ordered by labels.
    public var activeAlerts: [Alert] {
        self.alerts.values.filter { $0.state != .inactive }.sorted { $0.labels < $1.labels }
    }

    /// The alerts to hand to the notifiers at `time`, as Prometheus's `sendAlerts` picks them: firing alerts
    /// not sent for `resendDelay`, and alerts resolved since they were last sent (re-sent while retained).
    /// Marks them sent and sets their validity (`endsAt`) to 4 × max(resendDelay, interval).
    public mutating func alertsToSend(
        at time: Int64, resendDelay: Int64, interval: Int64
    ) -> [(alert: Alert, isResend: Bool)] {
        var result: [(alert: Alert, isResend: Bool)] = []
        for (labels, var alert) in self.alerts where alert.state != .pending {
            let resolvedSinceSent =
                alert.resolvedAt.map { resolved in alert.lastSentAt.map { resolved > $0 } ?? true } ?? false
            let due = alert.lastSentAt.map { $0 + resendDelay < time } ?? true
            guard resolvedSinceSent || due else { continue }
            let isResend = alert.lastSentState == alert.state
            alert.lastSentAt = time
            alert.lastSentState = alert.state
            alert.validUntil = time + 4 * max(resendDelay, interval)
            self.alerts[labels] = alert
            result.append((alert, isResend))
        }
        return result.sorted { $0.alert.labels < $1.alert.labels }
    }
}
