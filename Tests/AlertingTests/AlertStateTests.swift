import Alerting
import Telemetry
import Testing

/// Alert state sequences as Prometheus produces them, evaluated step by step over an in-memory store.
@Suite("Alert states: pending, firing, keep_firing_for, resolved, re-sends")
struct AlertStateTests {
    /// A gauge `g{provider="a"}` with one sample per minute from 0.
    static func gauge(_ values: [Double?]) -> InMemorySeriesStore {
        let store = InMemorySeriesStore()
        let labels = Labels(["__name__": "g", "provider": "a"])
        for (minute, value) in values.enumerated() {
            if let value {
                store.append(labels, timestamp: Int64(minute) * 60_000, value: value)
            }
        }
        return store
    }

    /// The state of the rule's only alert after each minute's evaluation (`nil` when there is none).
    static func states(
        _ expression: String,
        store: InMemorySeriesStore,
        minutes: Int,
        holdDuration: Int64 = 0,
        keepFiringFor: Int64 = 0
    ) throws -> [AlertState?] {
        let rule = AlertingRule(
            name: "High",
            expression: try RuleExpression.parse(expression),
            holdDuration: holdDuration,
            keepFiringFor: keepFiringFor
        )
        var state = AlertingRuleState(rule: rule)
        let evaluator = Evaluator(source: store)
        var result: [AlertState?] = []
        for minute in 0..<minutes {
            _ = try state.evaluate(at: Int64(minute) * 60_000, with: evaluator)
            result.append(state.alerts.values.first?.state)
        }
        return result
    }

    @Test("for: pending until the condition has held for the duration, then firing, then resolved")
    func forDuration() throws {
        let store = Self.gauge([0, 5, 5, 5, 5, 0, 0])
        let states = try Self.states("g > 1", store: store, minutes: 7, holdDuration: 120_000)
        #expect(states == [nil, .pending, .pending, .firing, .firing, .inactive, .inactive])
    }

    @Test("a pending alert whose condition stops is dropped, never fired")
    func pendingDropped() throws {
        let store = Self.gauge([5, 5, 0, 0])
        let states = try Self.states("g > 1", store: store, minutes: 4, holdDuration: 300_000)
        #expect(states == [.pending, .pending, nil, nil])
    }

    @Test("keep_firing_for keeps a firing alert firing after the condition stops, then resolves it")
    func keepFiringFor() throws {
        let store = Self.gauge([5, 5, 0, 0, 0, 0, 5])
        let states = try Self.states("g > 1", store: store, minutes: 7, keepFiringFor: 120_000)
        // Firing at 0 (for: 0); condition false from 2 m: kept firing at 2 m and 3 m (less than 2 m since it
        // stopped), resolved at 4 m; a new match at 6 m starts a new alert.
        #expect(states == [.firing, .firing, .firing, .firing, .inactive, .inactive, .firing])
    }

    @Test("a resolved alert is kept 15 minutes, then forgotten")
    func resolvedRetention() throws {
        var values: [Double?] = [5, 0]
        values += Array(repeating: 0, count: 17)
        let store = Self.gauge(values)
        let states = try Self.states("g > 1", store: store, minutes: 19)
        #expect(states[1] == .inactive)
        #expect(states[16] == .inactive)
        #expect(states[17] == nil)
    }

    @Test("labels and annotations: rule labels, alertname, templates over $labels and $value")
    func labelsAndAnnotations() throws {
        let store = Self.gauge([0.25])
        let rule = AlertingRule(
            name: "Low",
            expression: try RuleExpression.parse("g < 1"),
            labels: ["severity": try Template("warning"), "team": try Template("oauth-{{ $labels.provider }}")],
            annotations: [
                "summary": try Template("{{ $labels.provider }} at {{ $value }} ({{ $value | humanizePercentage }})")
            ]
        )
        var state = AlertingRuleState(rule: rule)
        _ = try state.evaluate(at: 0, with: Evaluator(source: store))
        let alert = try #require(state.activeAlerts.first)
        #expect(
            alert.labels
                == Labels([
                    "alertname": "Low", "provider": "a", "severity": "warning", "team": "oauth-a",
                ]))
        #expect(alert.annotations["summary"] == "a at 0.25 (25%)")
    }

    @Test("notifications: firing sent once, re-sent after the resend delay, resolved sent once then re-sent")
    func notifications() throws {
        let store = Self.gauge([5, 5, 5, 0, 0, 0])
        let rule = AlertingRule(name: "High", expression: try RuleExpression.parse("g > 1"))
        var state = AlertingRuleState(rule: rule)
        let evaluator = Evaluator(source: store)
        var sent: [(Int, AlertState, Bool)] = []
        for minute in 0..<6 {
            let time = Int64(minute) * 60_000
            _ = try state.evaluate(at: time, with: evaluator)
            for item in state.alertsToSend(at: time, resendDelay: 90_000, interval: 60_000) {
                sent.append((minute, item.alert.state, item.isResend))
                #expect(item.alert.validUntil == time + 4 * 90_000)
            }
        }
        // Firing at 0 (new), not again until more than 90 s later (2 m, a re-send); resolved at 3 m (news),
        // re-sent at 5 m.
        #expect(sent.map(\.0) == [0, 2, 3, 5])
        #expect(sent.map(\.1) == [.firing, .firing, .inactive, .inactive])
        #expect(sent.map(\.2) == [false, true, false, true])
    }

    @Test("ALERTS: pending then firing series, stale once the alert resolves")
    func alertsSeries() throws {
        let store = Self.gauge([5, 5, 5, 0])
        let rule = AlertingRule(name: "High", expression: try RuleExpression.parse("g > 1"), holdDuration: 60_000)
        var group = RuleGroupState(group: RuleGroup(name: "g", rules: [.alerting(rule)]))
        let evaluator = Evaluator(source: store)
        var seen: [String] = []
        for minute in 0..<4 {
            let time = Int64(minute) * 60_000
            _ = group.evaluate(at: time, with: evaluator, output: store)
            let result = try evaluator.evaluate(RuleExpression.parse("ALERTS"), at: time)
            seen.append(result.elements.map { $0.labels["alertstate"] }.joined(separator: ","))
        }
        #expect(seen == ["pending", "firing", "firing", ""])
    }
}
