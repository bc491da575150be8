import Foundation
import Alerting
import CoreMetrics
import Logging
import OAuthTopConfig
import ServiceLifecycle
import Synchronization
import Telemetry
import TokenManager

/// Evaluates the alert rules on an interval over the Telemetry series, as a Prometheus rule manager:
/// advances alert states, keeps `ALERTS` and recording-rule series queryable, emits ``AlertEvent``s
/// (`alert_pending`, `alert_firing`, `alert_resolved`, `alert_cleared`, `rule_failed`), and hands the alerts
/// due to the notifiers (with re-sends every ``resendDelay``) to ``notify``, which must not block.
public final class AlertEvaluationService: Service, Sendable {
    /// An alert handed to the notifiers: the route is the rule's `action:` (seed format) or `nil`.
    public struct Notification: Sendable {
        public var alert: Alert
        public var isResend: Bool
        public var route: String?
    }

    private struct State: Sendable {
        var groups: [RuleGroupState]
        var lastEvaluation: [Int: Int64] = [:]
    }

    public let interval: Duration
    public let resendDelay: Duration
    /// Where alerts are saved at shutdown and restored from at start (`nil`: not kept across restarts).
    public let statePath: String?
    /// The metric-name spellings and state names the rules were parsed with, handed to the evaluator.
    public let aliases: MetricAliases
    private let collector: TelemetryCollector
    private let output = RuleOutputStore()
    private let state: Mutex<State>
    private let subscribers = Mutex<[@Sendable (AlertEvent) -> Void]>([])
    private let notify: @Sendable ([Notification]) -> Void
    private let clock: @Sendable () -> Int64
    private let logger: Logger
    private let evaluations: any CounterHandler
    private let failures: any CounterHandler
    private let duration: any TimerHandler

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - groups: The rule groups (a group's own interval is honoured when it is a multiple of `interval`).
    ///   - aliases: The table the groups were parsed with (oauthtop's spellings by default).
    ///   - collector: The series the rules read; also where the service's own metrics are recorded.
    ///   - interval: The evaluation interval (15 s by default).
    ///   - resendDelay: How often a firing alert is re-sent to receivers that want re-sends (1 min).
    ///   - clock: Wall-clock milliseconds (tests pass their own).
    ///   - notify: Receives the alerts due to the notifiers after each evaluation.
    public init(
        groups: [RuleGroup],
        aliases: MetricAliases = .oauthTop,
        collector: TelemetryCollector,
        interval: Duration = .seconds(15),
        resendDelay: Duration = .seconds(60),
        clock: @escaping @Sendable () -> Int64 = { WallClock.realtimeNanos() / 1_000_000 },
        statePath: String? = nil,
        logger: Logger,
        notify: @escaping @Sendable ([Notification]) -> Void = { _ in }
    ) {
        self.collector = collector
        self.aliases = aliases
        self.interval = interval
        self.resendDelay = resendDelay
        self.statePath = statePath
        self.state = Mutex(State(groups: groups.map(RuleGroupState.init)))
        self.clock = clock
        self.logger = logger
        self.notify = notify
        self.evaluations = collector.makeCounter(label: "oauthtop_rule_evaluations_total", dimensions: [])
        self.failures = collector.makeCounter(label: "oauthtop_rule_evaluation_failures_total", dimensions: [])
        self.duration = collector.makeTimer(label: "oauthtop_rule_evaluation_duration_seconds", dimensions: [])
    }

    /// Receives every alert event, synchronously; the subscriber must not block.
    public func subscribe(_ subscriber: @escaping @Sendable (AlertEvent) -> Void) {
        self.subscribers.withLock { $0.append(subscriber) }
    }

    public func run() async throws {
        self.restoreState()
        defer { self.saveState() }
        let step = Self.milliseconds(self.interval)
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            self.evaluate(at: self.clock())
            // Sleep to the next multiple of the interval, as Prometheus aligns its evaluations.
            let now = self.clock()
            let wait = step - now % step
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .milliseconds(wait))
                }
            } catch {
                return
            }
        }
    }

    /// Evaluates every group that is due at `time` (milliseconds) and notifies.
    public func evaluate(at time: Int64) {
        let step = Self.milliseconds(self.interval)
        let started = ContinuousClock.now
        let output = self.output
        let evaluator = Evaluator(
            source: CombinedSeriesSource([self.collector, output]), defaultSubqueryStep: step, aliases: self.aliases)
        let (transitions, failures, due) = self.state.withLock { state in
            var transitions: [AlertingRuleState.Transition] = []
            var failures: [(rule: String, error: EvaluationError)] = []
            var due: [Notification] = []
            for index in state.groups.indices {
                let groupInterval = state.groups[index].group.interval ?? step
                if let last = state.lastEvaluation[index], time - last < groupInterval - step / 2 {
                    continue
                }
                state.lastEvaluation[index] = time
                let evaluation = state.groups[index].evaluate(at: time, with: evaluator, output: output)
                transitions += evaluation.transitions
                failures += evaluation.failures
                let sends = state.groups[index].alertsToSend(
                    at: time,
                    resendDelay: Self.milliseconds(self.resendDelay),
                    interval: groupInterval
                )
                due += sends.map {
                    Notification(
                        alert: $0.alert, isResend: $0.isResend, route: $0.alert.action)
                }
            }
            return (transitions, failures, due)
        }
        // Keep an hour of rule output, as the Telemetry series are kept.
        output.removeSamples(before: time - 3_600_000)
        self.evaluations.increment(by: 1)
        let elapsed = started.duration(to: .now)
        self.duration.recordNanoseconds(elapsed.nanoseconds)
        for failure in failures {
            self.failures.increment(by: 1)
            self.logger.warning(
                "rule evaluation failed", metadata: ["rule": "\(failure.rule)", "error": "\(failure.error)"])
            self.emit(
                AlertEvent(
                    kind: .ruleFailed,
                    timestamp: time * 1_000_000,
                    fields: [("rule", .string(failure.rule)), ("error", .string(failure.error.message))]
                ))
        }
        for transition in transitions {
            self.emit(Self.event(for: transition, at: time))
        }
        if !due.isEmpty {
            self.notify(due)
        }
    }

    /// Restores the alerts saved by the previous run, when ``statePath`` has a recent file.
    public func restoreState() {
        guard let path = self.statePath else { return }
        let (file, problem) = AlertStateFile.load(path: path, now: self.clock())
        if let problem {
            self.logger.warning("\(problem)")
        }
        guard let file else { return }
        let restored = self.state.withLock { state in
            var count = 0
            for index in state.groups.indices {
                let alerts = file.alerts(for: state.groups[index].group)
                state.groups[index].restore(alerts)
                count += alerts.count
            }
            return count
        }
        self.logger.info("restored alert state", metadata: ["alerts": "\(restored)", "path": "\(path)"])
    }

    /// Saves the alerts to ``statePath`` (atomically, mode 0600) for the next run.
    public func saveState() {
        guard let path = self.statePath else { return }
        let file = self.state.withLock { state in AlertStateFile(savedAt: self.clock(), groups: state.groups) }
        do {
            try file.save(path: path)
        } catch {
            self.logger.warning("cannot save alert state", metadata: ["error": "\(error)"])
        }
    }

    /// The series queries read when rules are evaluated: the collector's and the rules' output (`ALERTS`,
    /// `ALERTS_FOR_STATE`, recording rules).
    public var seriesSource: any SeriesSource {
        CombinedSeriesSource([self.collector, self.output])
    }

    /// The active alerts themselves.
    public func activeAlerts() -> [Alert] {
        self.state.withLock { state in state.groups.flatMap(\.activeAlerts) }
    }

    private func emit(_ event: AlertEvent) {
        for subscriber in self.subscribers.withLock({ $0 }) {
            subscriber(event)
        }
    }

    static func event(for transition: AlertingRuleState.Transition, at time: Int64) -> AlertEvent {
        let alert = transition.alert
        let kind: AlertEvent.Kind
        switch transition.to {
        case .pending: kind = .pending
        case .firing: kind = .firing
        case .inactive: kind = transition.from == .pending ? .cleared : .resolved
        }
        var fields: [(key: String, value: TokenEvent.Value)] = [("alertname", .string(alert.name))]
        let severity = alert.labels["severity"]
        if !severity.isEmpty {
            fields.append(("severity", .string(severity)))
        }
        let others = alert.labels.removing(["alertname", "severity", "provider"])
        if !others.pairs.isEmpty {
            fields.append(("labels", .string(others.description)))
        }
        fields.append(("value", .double(alert.value)))
        if let action = alert.action {
            fields.append(("action", .string(action)))
        }
        if let summary = alert.annotations["summary"] {
            fields.append(("summary", .string(summary)))
        }
        return AlertEvent(kind: kind, timestamp: time * 1_000_000, provider: alert.labels["provider"], fields: fields)
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.milliseconds
    }
}
