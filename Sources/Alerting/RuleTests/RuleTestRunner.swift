/// Runs rule unit tests as `promtool test rules` does.
///
/// For each test case: the input series are loaded (sample `i` at `i × interval` from time 0, up to the last
/// evaluation tick, as promtool loads them), every rule
/// group is evaluated at `0, evaluation_interval, 2 × evaluation_interval, …` up to the last `eval_time`,
/// and each `alert_rule_test` compares the firing alerts of its rule after the last evaluation at or
/// before its `eval_time`. `promql_expr_test`s are evaluated afterwards over the input series and the
/// rules' output (recording rules, `ALERTS`). Values are compared with a relative tolerance of 1e-9, or
/// exactly with `fuzzy_compare: false` (NaN
/// equals NaN), so results that differ from Prometheus's only in the last bits of a float still pass.
public struct RuleTestRunner: Sendable {
    public let file: RuleTestFile
    public let groups: [RuleGroup]
    /// The table the rules were parsed with; `promql_expr_test` expressions are parsed and evaluated with it.
    public let aliases: MetricAliases

    /// Creates a runner.
    ///
    /// - Parameters:
    ///   - file: The parsed test file.
    ///   - groups: The rule groups of the file's `rule_files`, in file order.
    ///   - aliases: The metric-name aliases and state names the rules were parsed with (none by default).
    public init(file: RuleTestFile, groups: [RuleGroup], aliases: MetricAliases = .none) {
        self.file = file
        self.groups = Self.ordered(groups, by: file.groupEvalOrder)
        self.aliases = aliases
    }

    /// Runs every test case.
    ///
    /// - Returns: One failure per expectation that did not hold (empty when all passed).
    public func run() -> [RuleTestFailure] {
        self.file.tests.flatMap(self.run)
    }

    /// Runs one test case.
    public func run(_ test: RuleTestCase) -> [RuleTestFailure] {
        var failures: [RuleTestFailure] = []
        let store = InMemorySeriesStore()
        let interval = test.sampleInterval(in: self.file)
        let step = max(1, self.file.evaluationInterval)
        let lastTime = (test.alertRuleTests.map(\.evalTime) + test.promqlExprTests.map(\.evalTime)).max() ?? 0
        // promtool loads input samples up to each evaluation tick, so samples after the last tick are never
        // seen, not even by promql_expr_test: the same here.
        let lastTick = lastTime / step * step
        for input in test.inputSeries {
            let labels: Labels
            do {
                labels = try Labels.parse(input.series)
            } catch {
                failures.append(
                    RuleTestFailure(test: test, line: input.line, message: "series '\(input.series)': \(error)"))
                continue
            }
            for (index, point) in input.values.enumerated() where Int64(index) * interval <= lastTick {
                switch point {
                case .value(let value): store.append(labels, timestamp: Int64(index) * interval, value: value)
                case .stale: store.append(labels, timestamp: Int64(index) * interval, value: StaleMarker.value)
                case .omitted: break
                }
            }
        }
        guard failures.isEmpty else { return failures }

        let evaluator = Evaluator(source: store, defaultSubqueryStep: step, aliases: self.aliases)
        let alertTests = test.alertRuleTests.sorted { $0.evalTime < $1.evalTime }
        var states = self.groups.map(RuleGroupState.init)
        var nextAlertTest = 0
        var time: Int64 = 0
        while time <= lastTime {
            for index in states.indices {
                let evaluation = states[index].evaluate(
                    at: time, with: evaluator, output: store, externalLabels: test.externalLabels)
                for failure in evaluation.failures {
                    failures.append(
                        RuleTestFailure(
                            test: test,
                            line: test.line,
                            message:
                                "rule \(failure.rule) at \(PrometheusDuration.format(milliseconds: time)): "
                                + "\(failure.error)"
                        ))
                }
            }
            while nextAlertTest < alertTests.count, alertTests[nextAlertTest].evalTime < time + step {
                if let failure = self.check(alertTests[nextAlertTest], states, test) {
                    failures.append(failure)
                }
                nextAlertTest += 1
            }
            time += step
        }
        for exprTest in test.promqlExprTests {
            if let failure = self.check(exprTest, evaluator, test) {
                failures.append(failure)
            }
        }
        return failures
    }

    private func check(_ alertTest: AlertRuleTest, _ states: [RuleGroupState], _ test: RuleTestCase) -> RuleTestFailure?
    {
        var got: [(labels: Labels, annotations: [String: String])] = []
        for state in states {
            for alert in state.activeAlerts where alert.name == alertTest.alertName && alert.state == .firing {
                got.append((alert.labels, alert.annotations))
            }
        }
        let expected = alertTest.expectedAlerts.map { expected in
            (
                labels: Labels(expected.labels).setting("alertname", to: alertTest.alertName),
                annotations: expected.annotations
            )
        }
        let sortedGot = got.sorted { $0.labels < $1.labels }
        let sortedExpected = expected.sorted { $0.labels < $1.labels }
        let same =
            sortedGot.count == sortedExpected.count
            && zip(sortedGot, sortedExpected).allSatisfy { $0.labels == $1.labels && $0.annotations == $1.annotations }
        guard !same else { return nil }
        return RuleTestFailure(
            test: test,
            line: alertTest.line,
            message:
                "alertname: \(alertTest.alertName), "
                + "time: \(PrometheusDuration.format(milliseconds: alertTest.evalTime))\n"
                + "    exp: \(Self.describe(sortedExpected))\n"
                + "    got: \(Self.describe(sortedGot))"
        )
    }

    private func check(_ exprTest: PromQLExprTest, _ evaluator: Evaluator, _ test: RuleTestCase) -> RuleTestFailure? {
        let time = PrometheusDuration.format(milliseconds: exprTest.evalTime)
        let result: QueryValue
        do {
            let expression = try RuleExpression.parse(exprTest.expr, aliases: self.aliases)
            result = try evaluator.evaluate(expression, at: exprTest.evalTime)
        } catch {
            return RuleTestFailure(
                test: test, line: exprTest.line, message: "expr: \(exprTest.expr), time: \(time): \(error)")
        }
        var expected: [VectorElement] = []
        for sample in exprTest.expectedSamples {
            do {
                let labels = sample.labels.isEmpty ? Labels.empty : try Labels.parse(sample.labels)
                expected.append(VectorElement(labels: labels, value: sample.value))
            } catch {
                return RuleTestFailure(
                    test: test,
                    line: exprTest.line,
                    message: "expr: \(exprTest.expr): expected labels '\(sample.labels)': \(error)"
                )
            }
        }
        let got = result.elements.sorted { $0.labels < $1.labels }
        expected.sort { $0.labels < $1.labels }
        let same =
            got.count == expected.count
            && zip(got, expected).allSatisfy { lhs, rhs in
                lhs.labels == rhs.labels
                    && (self.file.fuzzyCompare == false
                        ? lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN)
                        : Self.close(lhs.value, rhs.value))
            }
        guard !same else { return nil }
        return RuleTestFailure(
            test: test,
            line: exprTest.line,
            message: "expr: \(exprTest.expr), time: \(time)\n"
                + "    exp: \(expected.map { "\($0.labels) \(GoFloatFormat.format($0.value))" })\n"
                + "    got: \(got.map { "\($0.labels) \(GoFloatFormat.format($0.value))" })"
        )
    }

    static func close(_ lhs: Double, _ rhs: Double) -> Bool {
        if lhs.isNaN || rhs.isNaN {
            return lhs.isNaN && rhs.isNaN
        }
        if lhs == rhs {
            return true
        }
        return Swift.abs(lhs - rhs) <= 1e-9 * Swift.max(Swift.abs(lhs), Swift.abs(rhs))
    }

    private static func describe(_ alerts: [(labels: Labels, annotations: [String: String])]) -> String {
        let items = alerts.map { alert in
            let annotations = alert.annotations.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }
            return "{labels: \(alert.labels), annotations: {\(annotations.joined(separator: ", "))}}"
        }
        return "[" + items.joined(separator: ", ") + "]"
    }

    private static func ordered(_ groups: [RuleGroup], by order: [String]) -> [RuleGroup] {
        guard !order.isEmpty else { return groups }
        var remaining = groups
        var result: [RuleGroup] = []
        for name in order {
            if let index = remaining.firstIndex(where: { $0.name == name }) {
                result.append(remaining.remove(at: index))
            }
        }
        return result + remaining
    }
}

/// One expectation of a rule unit test that did not hold.
public struct RuleTestFailure: Sendable, Hashable, CustomStringConvertible {
    /// The test case's name (or `#N`).
    public var test: String
    /// The line in the test file of the failed expectation.
    public var line: Int
    public var message: String

    init(test: RuleTestCase, line: Int, message: String) {
        self.test = test.name ?? "line \(test.line)"
        self.line = line
        self.message = message
    }

    public var description: String { "\(self.test): \(self.message)" }
}
