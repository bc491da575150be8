import Alerting
import Foundation
import Testing

/// ``RuleTestRunner`` on hand-built test cases: expectations that hold pass, wrong ones are reported. The
/// promtool fixture files themselves run through `oauthtop rules test` and `promtool test rules` in
/// OAuthTopCLITests (this target does not parse YAML).
@Suite("Rule unit-test runner")
struct RuleTestRunnerTests {
    static func file(_ tests: [RuleTestCase]) -> RuleTestFile {
        RuleTestFile(ruleFiles: [], evaluationInterval: 60_000, groupEvalOrder: [], tests: tests)
    }

    static func group() throws -> RuleGroup {
        RuleGroup(
            name: "g",
            rules: [
                .alerting(
                    AlertingRule(
                        name: "High",
                        expression: try RuleExpression.parse("rate(c_total[5m]) > 0.5"),
                        holdDuration: 120_000,
                        labels: ["severity": Template.literal("page")]
                    )),
                .recording(
                    RecordingRule(
                        name: "job:c:rate5m",
                        expression: try RuleExpression.parse("sum(rate(c_total[5m]))")
                    )
                ),
            ])
    }

    static func testCase(
        alertAt evalTime: Int64, expecting alerts: [ExpectedAlert], value: Double
    ) throws -> RuleTestCase {
        RuleTestCase(
            name: "case",
            interval: 60_000,
            inputSeries: [InputSeries(series: "c_total{job=\"a\"}", values: try SeriesNotation.expand("0+60x20"))],
            alertRuleTests: [AlertRuleTest(evalTime: evalTime, alertName: "High", expectedAlerts: alerts)],
            promqlExprTests: [
                PromQLExprTest(
                    expr: "job:c:rate5m",
                    evalTime: 10 * 60_000,
                    expectedSamples: [ExpectedSample(labels: "job:c:rate5m", value: value)]
                )
            ],
            externalLabels: [:],
            line: 1
        )
    }

    @Test("passing expectations: a rate alert after its for, a recording rule's output")
    func passing() throws {
        let test = try Self.testCase(
            alertAt: 5 * 60_000,
            expecting: [ExpectedAlert(labels: ["job": "a", "severity": "page"])],
            value: 1
        )
        #expect(RuleTestRunner(file: Self.file([test]), groups: [try Self.group()]).run().isEmpty)
    }

    @Test("failing expectations are reported with what was expected and what came")
    func failing() throws {
        // At 1 m the alert is still pending (for: 2m), so no firing alert; and the rate is 1, not 2.
        let test = try Self.testCase(
            alertAt: 60_000,
            expecting: [ExpectedAlert(labels: ["job": "a", "severity": "page"])],
            value: 2
        )
        let failures = RuleTestRunner(file: Self.file([test]), groups: [try Self.group()]).run()
        #expect(failures.count == 2)
        #expect(failures.first?.message.contains("alertname: High, time: 1m") == true)
        #expect(failures.first?.message.contains("got: []") == true)
        #expect(failures.last?.message.contains("job:c:rate5m 1") == true)
    }
}
