import Alerting
import Foundation
import OAuthTopConfig
import Testing

@Suite("Rule test files")
struct RuleTestFileParserTests {
    /// The promtool fixtures of the Alerting tests, read in place (this target copies no resources).
    static let fixtureDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("AlertingTests/Fixtures/promtool")

    static let fixtureNames: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtureDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".test.yaml") }.sorted()
    }()

    func parse(_ yaml: String) -> ParseOutcome<RuleTestFile> {
        RuleTestFileParser().parse(yaml: yaml, file: "t.test.yaml")
    }

    @Test("there are at least 12 promtool fixtures")
    func fixtureCount() {
        #expect(Self.fixtureNames.count >= 12)
    }

    @Test("every promtool fixture parses, naming its rule file", arguments: fixtureNames)
    func fixtureParses(name: String) throws {
        let path = Self.fixtureDirectory.appendingPathComponent(name).path
        let file = try RuleTestFileParser().load(path: path)
        let stem = String(name.dropLast(".test.yaml".count))
        #expect(file.ruleFiles == ["\(stem).rules.yaml"])
        #expect(!file.tests.isEmpty)
        for test in file.tests {
            #expect(!test.inputSeries.isEmpty)
            #expect(!test.alertRuleTests.isEmpty || !test.promqlExprTests.isEmpty)
            #expect(test.inputSeries.allSatisfy { !$0.values.isEmpty && $0.line > 0 && $0.column > 0 })
        }
    }

    @Test("every key promtool accepts is read")
    func happyPath() throws {
        let yaml = """
            rule_files:
              - a.rules.yaml
              - 'more/*.yaml'
            evaluation_interval: 30s
            group_eval_order: [first, second]
            tests:
              - name: group one
                interval: 1m
                external_labels:
                  cluster: ci
                external_url: http://prometheus.example
                input_series:
                  - series: 'up{job="a"}'
                    values: '1+1x2 _ stale'
                alert_rule_test:
                  - eval_time: 1h30m
                    alertname: Down
                    exp_alerts:
                      - exp_labels: {job: a, severity: page}
                        exp_annotations:
                          summary: 'a is down'
                      - exp_labels:
                  - alertname: Quiet
                promql_expr_test:
                  - expr: sum(up)
                    eval_time: 2m
                    exp_samples:
                      - labels: '{}'
                        value: 3
                      - labels: 'up{job="a"}'
                        value: .inf
                      - labels: 'x'
                        value: -.inf
                      - labels: 'y'
                        value: 1.5e3
                  - expr: "up == 0"
              - input_series: []
            """
        let file = try self.parse(yaml).get()
        #expect(file.ruleFiles == ["a.rules.yaml", "more/*.yaml"])
        #expect(file.evaluationInterval == 30_000)
        #expect(file.groupEvalOrder == ["first", "second"])
        #expect(file.tests.count == 2)
        let test = try #require(file.tests.first)
        #expect(test.name == "group one")
        #expect(test.interval == 60_000)
        #expect(test.line == 7)
        #expect(test.externalLabels == ["cluster": "ci"])
        #expect(test.externalURL == "http://prometheus.example")
        #expect(
            test.inputSeries == [
                InputSeries(
                    series: "up{job=\"a\"}",
                    values: [.value(1), .value(2), .value(3), .omitted, .stale],
                    line: 14,
                    column: 18
                )
            ]
        )
        #expect(
            test.alertRuleTests == [
                AlertRuleTest(
                    evalTime: 5_400_000,
                    alertName: "Down",
                    expectedAlerts: [
                        ExpectedAlert(labels: ["job": "a", "severity": "page"], annotations: ["summary": "a is down"]),
                        ExpectedAlert(),
                    ],
                    line: 16
                ),
                AlertRuleTest(evalTime: 0, alertName: "Quiet", expectedAlerts: [], line: 23),
            ]
        )
        #expect(test.promqlExprTests.count == 2)
        let sum = try #require(test.promqlExprTests.first)
        #expect(sum.expr == "sum(up)")
        #expect(sum.evalTime == 120_000)
        #expect((sum.line, sum.exprLine, sum.exprColumn) == (25, 25, 15))
        #expect(
            sum.expectedSamples == [
                ExpectedSample(labels: "{}", value: 3),
                ExpectedSample(labels: "up{job=\"a\"}", value: .infinity),
                ExpectedSample(labels: "x", value: -.infinity),
                ExpectedSample(labels: "y", value: 1500),
            ]
        )
        let second = try #require(test.promqlExprTests.last)
        #expect((second.expr, second.evalTime, second.exprColumn) == ("up == 0", 0, 16))
        #expect(file.tests.last == RuleTestCase(line: 37))
    }

    @Test("defaults: one minute evaluation, no rule files, interval left to the file")
    func defaults() throws {
        let file = try self.parse("tests:\n  - input_series: []\n").get()
        #expect(file == RuleTestFile(ruleFiles: [], tests: [RuleTestCase(line: 2)]))
        #expect(file.tests[0].sampleInterval(in: file) == 60_000)
    }

    @Test(
        "each mistake is reported at its position",
        arguments: [
            (
                "tests:\n  - alert_rule_tests: []\n", "2:5",
                "unknown key 'alert_rule_tests' in test group; did you mean 'alert_rule_test'?"
            ),
            ("evaluation_interval: 1 minute\n", "1:22", "evaluation_interval: expected a Prometheus duration"),
            ("fuzzy_compare: maybe\n", "1:16", "fuzzy_compare: expected"),
            ("fuzzy_comparison: true\n", "1:1", "unknown key 'fuzzy_comparison' in the top level"),
            (
                "tests:\n  - input_series:\n      - series: up\n        values: '1 2 abc 4'\n", "4:22",
                "values: invalid series value 'abc' at column 5: expected a number, '_' or 'stale', found 'abc'"
            ),
            (
                "tests:\n  - input_series:\n      - series: up\n        values: 1 2y\n", "4:19",
                "values: invalid series value '2y' at column 3: '2y' is not a number"
            ),
            (
                "tests:\n  - input_series:\n      - values: '1'\n", "3:9",
                "missing required key 'series' in input series"
            ),
            ("tests:\n  - input_series:\n      - series: up\n", "3:9", "missing required key 'values' in input series"),
            (
                "tests:\n  - alert_rule_test:\n      - eval_time: 1m\n", "3:9",
                "missing required key 'alertname' in alert test"
            ),
            (
                "tests:\n  - alert_rule_test:\n      - {alertname: A, eval_time: soon}\n", "3:35",
                "eval_time: expected a Prometheus duration"
            ),
            (
                "tests:\n  - alert_rule_test:\n      - {alertname: A, exp_alerts: [{exp_label: {}}]}\n", "3:38",
                "unknown key 'exp_label' in expected alert; did you mean 'exp_labels'?"
            ),
            (
                "tests:\n  - promql_expr_test:\n      - {expr: up, exp_samples: [{labels: up, value: Inf}]}\n",
                "3:54", "value: expected a number, found 'Inf'; write .inf, -.inf or .nan"
            ),
            (
                "tests:\n  - promql_expr_test:\n      - {expr: up, exp_samples: [{labels: up}]}\n", "3:34",
                "missing required key 'value' in expected sample"
            ),
            ("tests:\n  - interval: 1q\n", "2:15", "interval: expected a Prometheus duration"),
            (
                "group_eval_order: [a, b, a]\n", "1:19",
                "group_eval_order: group name 'a' repeated in the evaluation order"
            ),
            ("tests: {}\n", "1:8", "tests: expected a list of test groups, found a mapping"),
            ("- 1\n", "1:1", "expected a mapping with 'rule_files' and 'tests', found a list"),
            ("tests:\n  - external_labels: [a]\n", "2:22", "external_labels: expected a mapping of names to strings"),
        ]
    )
    func mistakes(yaml: String, position: String, message: String) throws {
        let outcome = self.parse(yaml)
        #expect(outcome.value == nil)
        let first = try #require(outcome.errors.first)
        #expect(first.position == position)
        #expect(first.message.hasPrefix(message), "\(first.message)")
    }

    @Test("an empty file and a missing file are reported")
    func emptyAndMissing() {
        #expect(
            self.parse("").errors.map(\.message)
                == ["the file is empty; expected a mapping with 'rule_files' and 'tests'"]
        )
        #expect(throws: ConfigError.self) {
            try RuleTestFileParser(fileReader: .inMemory([:])).load(path: "missing.test.yaml")
        }
    }

    @Test("all mistakes in a file are found in one pass")
    func allMistakes() {
        let yaml = """
            evaluation_interval: 1x
            tests:
              - input_series:
                  - series: up
                    values: '1 y'
                alert_rule_test:
                  - eval_time: 1m
            """
        #expect(self.parse(yaml).errors.map(\.position) == ["1:22", "5:20", "7:9"])
    }
}
