import Foundation
import OAuthTopTestKit
import Testing

/// `oauthtop run` routing a seed-format rule's `action:` to Slack, PagerDuty and a generic webhook, all
/// played by one loopback receiver: each gets the firing and the resolved payload, the secrets come from
/// the child's environment, and none of them appears in oauthtop's output.
@Suite("alerting end to end: Slack, PagerDuty, webhook", .tags(.slow))
struct ReceiversEndToEndTests {
    static let alertname = "e2e_flapping"

    static let rules = """
        alerts:
          - name: \(alertname)
            condition: \(AlertingRun.flappingExpression)
            severity: critical
            action: page
            annotations:
              summary: "e2e alert from oauthtop"

        """

    /// Secrets unique to this run: a leak cannot be a coincidence.
    struct Secrets {
        let slackToken = "slacktoken" + Self.random()
        let hookToken = "hooktoken" + Self.random()
        let hookAuthorization = "Bearer hookauth" + Self.random()
        let routingKey = "routingkey" + Self.random()

        var all: [String] { [self.slackToken, self.hookToken, self.hookAuthorization, self.routingKey] }

        static func random() -> String { String(UInt64.random(in: 1 << 60...UInt64.max), radix: 16) }
    }

    @Test("each receiver gets the firing, then the resolved payload; no secret in the output", .timeLimit(.minutes(3)))
    func firingThenResolvedEverywhere() async throws {
        let secrets = Secrets()
        // 202 is what PagerDuty's Events API answers; Slack and webhooks accept any 2xx.
        try await LoopbackReceiver.with(behaviour: { _ in .status(202) }) { receiver in
            let slackPath = "/services/T0E2E/B0E2E/\(secrets.slackToken)"
            let hookPath = "/hooks/\(secrets.hookToken)"
            let pagerDutyPath = "/v2/enqueue"
            let alerting = """
                  rule_files: [e2e.rules.yaml]
                  evaluation_interval: 1s
                  notifiers:
                    team-slack: {type: slack, url: {env: E2E_SLACK_URL}}
                    oncall: {type: pagerduty, routing_key: {env: E2E_PD_KEY}, url: \(receiver.baseURL + pagerDutyPath)}
                    hook: {type: webhook, url: {env: E2E_HOOK_URL}, headers: {Authorization: {env: E2E_HOOK_AUTH}}}
                  routes:
                    page: [team-slack, oncall, hook]

                """
            let environment = [
                "E2E_SLACK_URL": receiver.baseURL + slackPath,
                "E2E_PD_KEY": secrets.routingKey,
                "E2E_HOOK_URL": receiver.baseURL + hookPath,
                "E2E_HOOK_AUTH": secrets.hookAuthorization,
            ]
            try await AlertingRun.with(
                alerting: alerting, rules: Self.rules, environment: environment, secrets: secrets.all
            ) { run in
                // Up to 16 s for the rule's window to open, at most 8 s until it closes, plus startup.
                let delivered = await eventually(timeout: .seconds(60)) {
                    [slackPath, pagerDutyPath, hookPath].allSatisfy { path in
                        Self.statuses(receiver.requests(to: path), path: path).contains("resolved")
                    }
                }
                #expect(delivered, "not every receiver got a resolved payload: \(Self.summary(receiver))")
                try run.expectFiringThenResolved(Self.alertname)
                for path in [slackPath, pagerDutyPath, hookPath] {
                    let statuses = Self.statuses(receiver.requests(to: path), path: path)
                    let firing = try #require(statuses.firstIndex(of: "firing"), "\(path): \(statuses)")
                    #expect(statuses[firing...].contains("resolved"), "\(path): resolved after firing: \(statuses)")
                }
                self.checkPagerDuty(receiver.requests(to: pagerDutyPath), routingKey: secrets.routingKey)
                self.checkSlack(receiver.requests(to: slackPath))
                self.checkWebhook(receiver.requests(to: hookPath), authorization: secrets.hookAuthorization)
                let unexpected = receiver.requests.filter { ![slackPath, pagerDutyPath, hookPath].contains($0.path) }
                #expect(unexpected.isEmpty, "requests to other paths: \(unexpected.map(\.path))")
            }
        }
    }

    /// Each request's status, "firing" or "resolved", in each receiver's own words.
    static func statuses(_ requests: [RecordedRequest], path: String) -> [String] {
        requests.map { request in
            let json = request.jsonObject
            if path.hasPrefix("/services/") {
                let text = json["text"] as? String ?? ""
                return text.hasPrefix("[FIRING]") ? "firing" : text.hasPrefix("[RESOLVED]") ? "resolved" : text
            }
            if let action = json["event_action"] as? String {
                return action == "trigger" ? "firing" : action == "resolve" ? "resolved" : action
            }
            return json["status"] as? String ?? request.body
        }
    }

    private func checkPagerDuty(_ requests: [RecordedRequest], routingKey: String) {
        let events = requests.map(\.jsonObject)
        for event in events {
            #expect(event["routing_key"] as? String == routingKey, "the routing key comes from E2E_PD_KEY")
        }
        let keys = Set(events.compactMap { $0["dedup_key"] as? String })
        #expect(keys.count == 1, "trigger and resolve share one dedup_key: \(keys)")
        let trigger = events.first { $0["event_action"] as? String == "trigger" }
        let payload = trigger?["payload"] as? [String: Any]
        #expect(payload?["severity"] as? String == "critical", "trigger payload: \(String(describing: payload))")
        #expect((payload?["summary"] as? String)?.contains("e2e alert from oauthtop") == true)
    }

    private func checkSlack(_ requests: [RecordedRequest]) {
        for request in requests {
            let text = request.jsonObject["text"] as? String ?? ""
            #expect(text.contains(Self.alertname), "Slack text names the alert: \(text)")
        }
    }

    private func checkWebhook(_ requests: [RecordedRequest], authorization: String) {
        for request in requests {
            #expect(request.authorization == authorization, "the webhook's header comes from E2E_HOOK_AUTH")
            let alerts = request.jsonObject["alerts"] as? [[String: Any]] ?? []
            let names = alerts.compactMap { ($0["labels"] as? [String: String])?["alertname"] }
            #expect(names == [Self.alertname], "webhook alerts: \(request.body)")
        }
    }

    /// What each path received, for failure messages (paths shortened: they hold secrets).
    private static func summary(_ receiver: LoopbackReceiver) -> String {
        receiver.requests.map { request in
            let kind = request.path.hasPrefix("/services/")
                ? "slack" : request.path.hasPrefix("/hooks/") ? "hook" : "pd"
            return "\(kind): \(self.statuses([request], path: request.path))"
        }.joined(separator: "; ")
    }
}
