import Telemetry

/// One rule group's rules and their alerts, evaluated in order at each tick, as a Prometheus rule group.
///
/// Recording rules write their result into ``RuleOutputStore`` (so later rules and queries see it), and
/// every pending or firing alert writes `ALERTS{alertname, alertstate, ...} 1` and
/// `ALERTS_FOR_STATE{...} <activeAt seconds>` there; series that end get a staleness marker.
public struct RuleGroupState: Sendable {
    public let group: RuleGroup
    /// The alerting rules' states, by rule index.
    public private(set) var alertStates: [Int: AlertingRuleState] = [:]
    /// Output series written at the previous evaluation, by rule index, to mark the ones that end as stale.
    private var previousOutput: [Int: Set<Labels>] = [:]

    public init(group: RuleGroup) {
        self.group = group
        for (index, rule) in group.rules.enumerated() {
            if case .alerting(let alerting) = rule {
                self.alertStates[index] = AlertingRuleState(rule: alerting)
            }
        }
    }

    /// What one evaluation of the group did.
    public struct Evaluation: Sendable {
        /// Alert state changes, in rule order.
        public var transitions: [AlertingRuleState.Transition] = []
        /// Rules whose evaluation failed, with the reason.
        public var failures: [(rule: String, error: EvaluationError)] = []
    }

    /// Evaluates every rule at `time`.
    ///
    /// - Parameters:
    ///   - evaluator: Reads the series (it should see `output`, e.g. through ``CombinedSeriesSource``).
    ///   - output: Where recording rules and `ALERTS` are written.
    public mutating func evaluate(
        at time: Int64,
        with evaluator: Evaluator,
        output: RuleOutputStore,
        externalLabels: [String: String] = [:]
    ) -> Evaluation {
        var evaluation = Evaluation()
        for (index, rule) in self.group.rules.enumerated() {
            var written: Set<Labels> = []
            switch rule {
            case .recording(let recording):
                do {
                    let result = try evaluator.evaluate(recording.expression, at: time)
                    for element in result.elements {
                        var labels = element.labels.setting(Labels.metricNameLabel, to: recording.name)
                        for (name, value) in recording.labels {
                            labels = labels.setting(name, to: value)
                        }
                        if written.insert(labels).inserted {
                            output.append(labels, timestamp: time, value: element.value)
                        }
                    }
                } catch {
                    evaluation.failures.append((recording.name, error))
                    written = self.previousOutput[index] ?? []
                }
            case .alerting:
                guard var state = self.alertStates[index] else { continue }
                do {
                    evaluation.transitions += try state.evaluate(
                        at: time, with: evaluator, externalLabels: externalLabels)
                } catch {
                    evaluation.failures.append((state.rule.name, error))
                }
                for alert in state.activeAlerts {
                    let series = alert.labels.setting("alertstate", to: alert.state.rawValue)
                    let alerts = series.setting(Labels.metricNameLabel, to: "ALERTS")
                    let forState = alert.labels.setting(Labels.metricNameLabel, to: "ALERTS_FOR_STATE")
                    output.append(alerts, timestamp: time, value: 1)
                    output.append(forState, timestamp: time, value: Double(alert.activeAt) / 1000)
                    written.insert(alerts)
                    written.insert(forState)
                }
                self.alertStates[index] = state
            }
            for ended in (self.previousOutput[index] ?? []).subtracting(written) {
                output.append(ended, timestamp: time, value: StaleMarker.value)
            }
            self.previousOutput[index] = written
        }
        return evaluation
    }

    /// Every alert the group holds (pending, firing and recently resolved), in rule order: what is saved
    /// across a restart.
    public var allAlerts: [Alert] {
        self.alertStates.keys.sorted().flatMap { index in
            (self.alertStates[index]?.alerts.values).map { $0.sorted { $0.labels < $1.labels } } ?? []
        }
    }

    /// Puts back alerts saved before a restart into the rules they belong to (by alert name).
    public mutating func restore(_ saved: [Alert]) {
        for index in self.alertStates.keys {
            self.alertStates[index]?.restore(saved)
        }
    }

    /// Every pending and firing alert of the group, in rule order.
    public var activeAlerts: [Alert] {
        self.alertStates.keys.sorted().flatMap { self.alertStates[$0]?.activeAlerts ?? [] }
    }

    /// The alerts due to the notifiers at `time` (see ``AlertingRuleState/alertsToSend(at:resendDelay:interval:)``).
    public mutating func alertsToSend(
        at time: Int64, resendDelay: Int64, interval: Int64
    ) -> [(alert: Alert, isResend: Bool)] {
        var result: [(alert: Alert, isResend: Bool)] = []
        for index in self.alertStates.keys.sorted() {
            guard var state = self.alertStates[index] else { continue }
            result += state.alertsToSend(at: time, resendDelay: resendDelay, interval: interval)
            self.alertStates[index] = state
        }
        return result
    }
}
