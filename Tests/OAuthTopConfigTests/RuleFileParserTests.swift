import Alerting
import Foundation
import OAuthTopConfig
import Testing

@Suite("Rule files: seed and Prometheus formats, positioned errors")
struct RuleFileParserTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test("the built-in rules are the files shipped in rules/")
    func builtInRulesMatchFiles() throws {
        let seed = try String(
            contentsOf: Self.repository.appendingPathComponent("rules/seed.rules.yaml"), encoding: .utf8)
        let demo = try String(
            contentsOf: Self.repository.appendingPathComponent("rules/demo.rules.yaml"), encoding: .utf8)
        #expect(seed == DefaultRules.seedYAML)
        #expect(demo == DefaultRules.demoYAML)
    }

    @Test("the seed's four rules, the emergency rule and the quota rule: names, severities, actions, conditions")
    func seedRules() throws {
        let groups = RuleFileParser.defaultGroups()
        let rules = try #require(groups.first).rules.compactMap { rule -> AlertingRule? in
            if case .alerting(let alerting) = rule { return alerting }
            return nil
        }
        #expect(
            rules.map(\.name) == [
                "oauth_refresh_failure_rate", "oauth_circuit_breaker_open", "fallback_auth_usage",
                "token_expiry_during_execution", "oauth_emergency_mode", "oauth_proxy_quota_high",
            ])
        #expect(
            rules.map(\.action) == [
                "notify_slack", "page_oncall", "notify_team", "investigate_long_running_tasks", "page_oncall",
                "notify_team",
            ])
        #expect(
            rules.map { $0.labels["severity"]?.source }
                == ["warning", "critical", "warning", "warning", "critical", "warning"]
        )
        #expect(rules[1].expression.text == "oauth_circuit_breaker_state == \"open\"")
        #expect(rules[4].expression.text == "oauth_emergency_mode == 1")
        #expect(rules[5].expression.text == "max by (proxy, limit) (oauth_proxy_quota_used_ratio) > 0.9")
        #expect(rules[5].holdDuration == 60_000)
        #expect(rules[5].annotations["description"] != nil)
        #expect(RuleFileParser.demoGroups().first?.rules.count == 6)
    }

    @Test("the quota rule's promtool fixture is the default rule itself: expression, for, labels and annotations")
    func quotaRuleFixture() throws {
        func quotaRule(_ groups: [RuleGroup]) throws -> AlertingRule {
            let rule = groups.flatMap(\.rules).compactMap { rule -> AlertingRule? in
                if case .alerting(let alerting) = rule, alerting.name == "oauth_proxy_quota_high" { return alerting }
                return nil
            }.first
            return try #require(rule)
        }
        let fixture = Self.repository.appendingPathComponent(
            "Tests/AlertingTests/Fixtures/promtool/seed_proxy_quota_high.rules.yaml")
        let tested = try quotaRule(
            try RuleFileParser.parse(yaml: String(contentsOf: fixture, encoding: .utf8), file: "fixture").get())
        let shipped = try quotaRule(RuleFileParser.defaultGroups())
        #expect(tested.expression.text == shipped.expression.text)
        #expect(tested.holdDuration == shipped.holdDuration)
        #expect(tested.labels["severity"]?.source == shipped.labels["severity"]?.source)
        #expect(tested.annotations.mapValues(\.source) == shipped.annotations.mapValues(\.source))
    }

    @Test("the emergency rule joins rule files that do not define it, and yields to one that does")
    func emergencyRuleAdded() throws {
        func alertNames(_ groups: [RuleGroup]) -> [String] {
            groups.flatMap(\.rules).compactMap { rule in
                if case .alerting(let alerting) = rule { return alerting.name }
                return nil
            }
        }
        let mine = try RuleFileParser.parse(
            yaml: "alerts:\n  - name: mine\n    condition: up == 0\n    severity: warning\n", file: "mine.yaml"
        ).get()
        let added = RuleFileParser.withEmergencyRule(mine)
        #expect(alertNames(added) == ["mine", "oauth_emergency_mode"])
        #expect(added.last?.file == DefaultRules.emergencyFileName)
        let own = try RuleFileParser.parse(
            yaml: """
                alerts:
                  - name: oauth_emergency_mode
                    condition: oauth_emergency_mode == 1
                    severity: page
                    action: wake_everyone
                """,
            file: "own.yaml"
        ).get()
        let kept = RuleFileParser.withEmergencyRule(own)
        #expect(alertNames(kept) == ["oauth_emergency_mode"], "a rule file's own emergency rule replaces the built-in")
        let rule = kept.flatMap(\.rules).compactMap { rule -> AlertingRule? in
            if case .alerting(let alerting) = rule { return alerting }
            return nil
        }.first
        #expect(rule?.action == "wake_everyone")
        #expect(alertNames(RuleFileParser.withEmergencyRule(RuleFileParser.defaultGroups())).count == 6, "once")
        #expect(alertNames(RuleFileParser.emergencyGroups()) == ["oauth_emergency_mode"])
    }

    @Test("Prometheus format: groups, interval, alerting and recording rules, for, keep_firing_for")
    func prometheusFormat() throws {
        let yaml = """
            groups:
              - name: oauth
                interval: 30s
                rules:
                  - record: provider:failures:rate5m
                    expr: sum by (provider) (rate(oauth_refresh_failures_total[5m]))
                  - alert: Failing
                    expr: provider:failures:rate5m > 0.1
                    for: 2m
                    keep_firing_for: 1m30s
                    labels: {severity: page}
                    annotations:
                      summary: "{{ $labels.provider }} fails {{ $value }}/s"
            """
        let groups = try RuleFileParser.parse(yaml: yaml, file: "r.yaml").get()
        let group = try #require(groups.first)
        #expect(group.name == "oauth")
        #expect(group.interval == 30_000)
        guard case .alerting(let alert) = group.rules[1], case .recording(let record) = group.rules[0] else {
            Issue.record("expected a recording then an alerting rule")
            return
        }
        #expect(record.name == "provider:failures:rate5m")
        #expect(alert.holdDuration == 120_000)
        #expect(alert.keepFiringFor == 90_000)
        #expect(alert.annotations["summary"]?.source == "{{ $labels.provider }} fails {{ $value }}/s")
    }

    @Test("every mistake with line and column; expression errors inside the rule, with the expected token")
    func mistakes() {
        let yaml = """
            groups:
              - name: g
                rules:
                  - alert: A
                    expr: rate(oauth_refresh_failures_total[5m]
                    for: 5x
                  - alert: B
                    expr: |
                      sum by (provider) (
                        rate(x[5m]
                      )
                    labels:
                      severity: "{{ $labels.provider "
                  - alert: C
                    exprr: up
                  - record: bad name
                    expr: up
              - name: g
                rules: []
            """
        let outcome = RuleFileParser.parse(yaml: yaml, file: "r.yaml")
        #expect(outcome.value == nil)
        let lines = outcome.diagnostics.map { "\($0.position) \($0.message)" }
        #expect(
            lines == [
                // Just after the last character of the plain scalar.
                "5:52 expr: expected ')' to close the call of rate, found end of expression",
                "6:14 for: expected a duration such as 30s, 5m or 1h30m (units ms, s, m, h, d, w, y), found '5x'",
                // Inside the `|` block: after the `)` on its third line, sum's parenthesis is still open.
                "11:12 expr: expected ')' to close the arguments of sum, found end of expression",
                "13:21 labels.severity: template error: unclosed action: expected '}}'",
                "14:9 missing required key 'expr' in a rule",
                "15:9 unknown key 'exprr' in a rule; did you mean 'expr'? "
                    + "(allowed: alert, record, expr, for, keep_firing_for, labels, annotations)",
                "16:17 record: invalid recording rule name 'bad name': must match [a-zA-Z_:][a-zA-Z0-9_:]*",
                "18:11 name: duplicate group name 'g'",
            ])
    }

    @Test("seed format: the breaker's states by name; an unknown state is an error at its position")
    func seedStates() {
        let yaml = """
            alerts:
              - name: breaker
                condition: oauth_circuit_breaker_state == "opened"
                severity: critical
            """
        let outcome = RuleFileParser.parse(yaml: yaml, file: "seed.yaml")
        #expect(outcome.diagnostics.map(\.position) == ["3:44"])
        #expect(
            outcome.diagnostics.first?.message.contains("the states are closed, half-open, half_open, open") == true)
    }
}
