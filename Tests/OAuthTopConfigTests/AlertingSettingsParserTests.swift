import Notifiers
import OAuthTopConfig
import Primitives
import Testing

@Suite("The alerting: section")
struct AlertingSettingsParserTests {
    let environment = [
        "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/SLACKSECRET",
        "HOOK_URL": "https://hooks.example.com/h?token=HOOKSECRET",
        "HOOK_AUTH": "Bearer AUTHSECRET",
    ]
    let files = ["/run/secrets/pd_key": "PDKEYSECRET\n"]

    func parse(_ yaml: String) -> ParseOutcome<AlertingSettings> {
        AlertingSettingsParser.parse(
            yaml: yaml, file: "oauthtop.yaml", environment: self.environment, fileReader: .inMemory(self.files)
        )
    }

    @Test("the documented example parses into settings with resolved secrets")
    func example() throws {
        let yaml = """
            alerting:
              rule_files: [rules/oauthtop.rules.yaml]
              evaluation_interval: 30s
              notifiers:
                team-slack: {type: slack, url: {env: SLACK_WEBHOOK_URL}}
                oncall: {type: pagerduty, routing_key: {file: /run/secrets/pd_key}}
                am: {type: alertmanager, url: http://127.0.0.1:9093}
                hook: {type: webhook, url: {env: HOOK_URL}, headers: {Authorization: {env: HOOK_AUTH}}}
                script: {type: command, command: [/usr/local/bin/on-alert, --verbose], timeout: 5s}
                out: {type: stdout, queue_capacity: 50, retries: 0}
              routes:
                notify_slack: [team-slack]
                page_oncall: [oncall, am]
                notify_team: team-slack
                investigate_long_running_tasks: [hook]
                default: [out]
            """
        let settings = try self.parse(yaml).get()
        #expect(settings.ruleFiles == ["rules/oauthtop.rules.yaml"])
        #expect(settings.evaluationInterval == .seconds(30))
        let slackURL = Secret(self.environment["SLACK_WEBHOOK_URL"] ?? "")
        #expect(settings.notifiers["team-slack"]?.kind == .slack(url: slackURL))
        #expect(settings.notifiers["oncall"]?.kind == .pagerDuty(routingKey: Secret("PDKEYSECRET"), url: nil))
        #expect(settings.notifiers["am"]?.kind == .alertmanager(url: "http://127.0.0.1:9093"))
        #expect(
            settings.notifiers["hook"]?.kind
                == .webhook(
                    url: Secret("https://hooks.example.com/h?token=HOOKSECRET"),
                    headers: ["Authorization": Secret("Bearer AUTHSECRET")]
                )
        )
        #expect(settings.notifiers["script"]?.kind == .command(argv: ["/usr/local/bin/on-alert", "--verbose"]))
        #expect(settings.notifiers["script"]?.delivery.attemptTimeout == .seconds(5))
        #expect(settings.notifiers["out"]?.delivery == DeliveryPolicy(queueCapacity: 50, maxAttempts: 1))
        #expect(
            settings.routes == [
                "notify_slack": ["team-slack"], "page_oncall": ["oncall", "am"], "notify_team": ["team-slack"],
                "investigate_long_running_tasks": ["hook"],
            ]
        )
        #expect(settings.defaultRoute == ["out"])
        #expect(settings.notifierNames(forAction: "page_oncall") == ["oncall", "am"])
        #expect(settings.notifierNames(forAction: "unrouted") == ["out"])
        let printed = "\(settings)"
        for secret in ["SLACKSECRET", "PDKEYSECRET", "HOOKSECRET", "AUTHSECRET"] {
            #expect(!printed.contains(secret))
        }
    }

    @Test("without alerting: or without notifiers there are no notifiers; rules every 15s")
    func defaults() throws {
        let none = try self.parse("providers: []").get()
        #expect(none == AlertingSettings())
        #expect(none.notifiers.isEmpty)
        #expect(none.defaultRoute.isEmpty)
        #expect(none.evaluationInterval == .seconds(15))
        let empty = try self.parse("alerting:\n  evaluation_interval: 1m").get()
        #expect(empty.evaluationInterval == .seconds(60))
        #expect(empty.defaultRoute.isEmpty)
        // Notifiers but no default route: unrouted alerts go to every notifier.
        let two = try self.parse("alerting:\n  notifiers:\n    b: {type: stdout}\n    a: {type: stdout}").get()
        #expect(two.defaultRoute == ["a", "b"])
    }

    @Test(
        "each mistake is reported at its position",
        arguments: [
            (
                "  notifiers:\n    s: {type: slak}", "3:15",
                "type: expected one of stdout | slack | alertmanager | pagerduty | webhook | command, found 'slak'; "
                    + "did you mean 'slack'?"
            ),
            (
                "  notifiers:\n    s: {type: slack, urll: {env: SLACK_WEBHOOK_URL}}", "3:22",
                "unknown key 'urll' in notifier 's'; did you mean 'url'?"
            ),
            ("  notifiers:\n    s: {type: slack}", "3:8", "missing required key 'url' in notifier 's'"),
            (
                "  notifiers:\n    s: {type: slack, url: https://hooks.slack.com/services/T0/B0/INLINESECRET}", "3:27",
                "url: secrets must not be written in the file; give them as {env: NAME} or {file: PATH}"
            ),
            (
                "  notifiers:\n    p: {type: pagerduty, routing_key: INLINESECRET}", "3:39",
                "routing_key: secrets must not be written in the file"
            ),
            (
                "  notifiers:\n    p: {type: pagerduty, routing_key: {env: MISSING}}", "3:45",
                "routing_key.env: environment variable 'MISSING' is not set"
            ),
            ("  notifiers:\n    a: {type: alertmanager, url: not-a-url}", "3:34", "url: expected an http/https URL"),
            (
                "  notifiers:\n    o: {type: stdout, url: http://x.example}", "3:23",
                "'url' does not apply to type 'stdout' (only to slack, alertmanager, pagerduty, webhook)"
            ),
            (
                "  notifiers:\n    c: {type: command, command: [on-alert]}", "3:34",
                "command: the program must be an absolute path (it is run without a shell), found 'on-alert'"
            ),
            ("  notifiers:\n    c: {type: command, command: []}", "3:33", "command: must name a program"),
            ("  notifiers:\n    o: {type: stdout, timeout: soon}", "3:32", "timeout: expected a duration"),
            ("  notifiers:\n    o: {type: stdout, queue_capacity: 0}", "3:39", "queue_capacity: must be between 1"),
            (
                "  notifiers:\n    out: {type: stdout}\n  routes:\n    page_oncall: [otu]", "5:19",
                "routes.page_oncall: unknown notifier 'otu'; did you mean 'out'? (defined: out)"
            ),
            ("  evaluation_interval: 0s", "2:24", "evaluation_interval: must be longer than 0s"),
            ("  rule_file: [a.yaml]", "2:3", "unknown key 'rule_file' in 'alerting'; did you mean 'rule_files'?"),
            (
                "  notifiers:\n    h: {type: webhook, url: {env: HOOK_URL}, headers: {X-Key: INLINESECRET}}", "3:63",
                "headers.X-Key: secrets must not be written in the file"
            ),
            ("  notifiers:\n    bad name: {type: stdout}", "3:5", "notifier names use only letters"),
        ]
    )
    func mistakes(body: String, position: String, message: String) throws {
        let outcome = self.parse("alerting:\n" + body)
        #expect(outcome.value == nil)
        // The mistake itself; a missing key it causes may be reported too.
        let error = try #require(outcome.errors.first { $0.position == position }, "\(outcome.errors)")
        #expect(outcome.errors.count <= 2, "\(outcome.errors)")
        #expect(error.message.hasPrefix(message), "\(error.message)")
        #expect("\(error)".hasPrefix("oauthtop.yaml:\(position): error: "))
        #expect(!outcome.diagnostics.contains { $0.message.contains("INLINESECRET") })
    }
}
