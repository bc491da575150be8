import AsyncHTTPClient
import Foundation
import Notifiers
import OAuthTopTestKit
import Primitives
import Testing

@Suite("Receiver payloads, checked on a loopback receiver")
struct ReceiverPayloadTests {
    let fingerprint = "2d87f595c53a2d9f"

    /// Compares a received body with the expected JSON text, ignoring key order and spacing.
    func expectJSON(
        _ request: RecordedRequest?, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let want = canonicalJSON(try? JSONSerialization.jsonObject(with: Data(expected.utf8)))
        #expect(want != "<not JSON>", "the expected text is not JSON", sourceLocation: sourceLocation)
        #expect(canonicalJSON(request?.json) == want, sourceLocation: sourceLocation)
    }

    @Test("Slack: text, and an attachment coloured by severity with name, severity, description and value")
    func slack() async throws {
        try await LoopbackReceiver.with { receiver in
            let url = Secret(receiver.baseURL + "/services/T000/B000/XXXXSECRET")
            let notifier = SlackNotifier(name: "team-slack", url: url, httpClient: .shared)
            try await notifier.deliver([breakerAlert(), breakerAlert(status: .resolved)])
            let requests = receiver.requests
            try #require(requests.count == 2)
            #expect(requests[0].path == "/services/T000/B000/XXXXSECRET")
            #expect(requests[0].headers["content-type"] == "application/json")
            self.expectJSON(
                requests[0],
                """
                {"text": "[FIRING] oauth_circuit_breaker_open: breaker open for github",
                 "attachments": [{"color": "#d00000", "title": "[FIRING] oauth_circuit_breaker_open (critical)",
                   "text": "3 failures in a row", "footer": "oauthtop", "ts": 1777000000,
                   "fields": [{"title": "Severity", "value": "critical", "short": true},
                              {"title": "Value", "value": "2", "short": true}]}]}
                """
            )
            self.expectJSON(
                requests[1],
                """
                {"text": "[RESOLVED] oauth_circuit_breaker_open: breaker open for github",
                 "attachments": [{"color": "#2eb886", "title": "[RESOLVED] oauth_circuit_breaker_open (critical)",
                   "text": "3 failures in a row", "footer": "oauthtop", "ts": 1777000060,
                   "fields": [{"title": "Severity", "value": "critical", "short": true},
                              {"title": "Value", "value": "2", "short": true}]}]}
                """
            )
        }
    }

    @Test(
        "Slack colours by status and severity",
        arguments: [
            ("critical", AlertNotification.Status.firing, "#d00000"),
            ("warning", .firing, "#f2a900"),
            ("info", .firing, "#439fe0"),
            ("critical", .resolved, "#2eb886"),
        ]
    )
    func slackColour(severity: String, status: AlertNotification.Status, colour: String) {
        let labels = ["alertname": "a", "severity": severity]
        let alert = AlertNotification(status: status, labels: labels, startsAt: testStart)
        #expect(SlackNotifier.color(for: alert) == colour)
    }

    @Test("PagerDuty: trigger, then resolve with the same dedup_key")
    func pagerDuty() async throws {
        try await LoopbackReceiver.with(behaviour: { _ in .status(202) }) { receiver in
            let notifier = PagerDutyNotifier(
                name: "oncall", routingKey: Secret("R0UT1NGKEY-secret-123"),
                url: receiver.baseURL + "/v2/enqueue", source: "test-host", httpClient: .shared
            )
            try await notifier.deliver([breakerAlert()])
            try await notifier.deliver([breakerAlert(status: .resolved)])
            let requests = receiver.requests
            try #require(requests.count == 2)
            #expect(requests.allSatisfy { $0.path == "/v2/enqueue" })
            let details = """
                {"alertname": "oauth_circuit_breaker_open", "severity": "critical", "provider": "github",
                 "summary": "breaker open for github", "description": "3 failures in a row",
                 "fingerprint": "\(self.fingerprint)", "value": "2"}
                """
            for (request, action) in zip(requests, ["trigger", "resolve"]) {
                self.expectJSON(
                    request,
                    """
                    {"routing_key": "R0UT1NGKEY-secret-123", "event_action": "\(action)",
                     "dedup_key": "oauthtop-\(self.fingerprint)", "client": "oauthtop",
                     "client_url": "http://127.0.0.1:9464/rules",
                     "payload": {"summary": "oauth_circuit_breaker_open: breaker open for github",
                       "source": "test-host", "severity": "critical", "timestamp": "2026-04-24T03:06:40.000Z",
                       "component": "oauthtop", "custom_details": \(details)}}
                    """
                )
            }
        }
    }

    @Test(
        "PagerDuty severities",
        arguments: [
            ("critical", "critical"), ("error", "error"), ("warning", "warning"), ("info", "info"), ("", "info"),
        ]
    )
    func pagerDutySeverity(label: String, expected: String) {
        let labels = ["alertname": "a", "severity": label]
        let alert = AlertNotification(status: .firing, labels: labels, startsAt: testStart)
        #expect(PagerDutyNotifier.severity(for: alert) == expected)
    }

    @Test("webhook: Alertmanager-style document with common labels, and secret headers sent")
    func webhook() async throws {
        try await LoopbackReceiver.with { receiver in
            let notifier = WebhookNotifier(
                name: "hook", url: Secret(receiver.baseURL + "/hook?token=abc"),
                headers: ["Authorization": Secret("Bearer hook-token")], httpClient: .shared
            )
            var other = breakerAlert()
            other.labels["provider"] = "google"
            try await notifier.deliver([breakerAlert(), other])
            let requests = receiver.requests
            try #require(requests.count == 1)
            #expect(requests[0].headers["authorization"] == "Bearer hook-token")
            let otherFingerprint = other.fingerprint
            self.expectJSON(
                requests[0],
                """
                {"version": "4", "status": "firing", "receiver": "hook",
                 "groupLabels": {"alertname": "oauth_circuit_breaker_open"},
                 "commonLabels": {"alertname": "oauth_circuit_breaker_open", "severity": "critical"},
                 "commonAnnotations": {"summary": "breaker open for github", "description": "3 failures in a row"},
                 "alerts": [
                   {"status": "firing", "labels": {"alertname": "oauth_circuit_breaker_open", "severity": "critical",
                      "provider": "github"},
                    "annotations": {"summary": "breaker open for github", "description": "3 failures in a row"},
                    "startsAt": "2026-04-24T03:06:40.000Z", "generatorURL": "http://127.0.0.1:9464/rules",
                    "fingerprint": "\(self.fingerprint)", "value": 2},
                   {"status": "firing", "labels": {"alertname": "oauth_circuit_breaker_open", "severity": "critical",
                      "provider": "google"},
                    "annotations": {"summary": "breaker open for github", "description": "3 failures in a row"},
                    "startsAt": "2026-04-24T03:06:40.000Z", "generatorURL": "http://127.0.0.1:9464/rules",
                    "fingerprint": "\(otherFingerprint)", "value": 2}]}
                """
            )
        }
    }

    @Test("Alertmanager: one POST /api/v2/alerts with a JSON array of postable alerts")
    func alertmanager() async throws {
        try await LoopbackReceiver.with { receiver in
            let notifier = AlertmanagerNotifier(name: "am", baseURL: receiver.baseURL + "/", httpClient: .shared)
            #expect(notifier.wantsResends)
            try await notifier.deliver([breakerAlert(), breakerAlert(status: .resolved)])
            let requests = receiver.requests
            try #require(requests.count == 1)
            #expect(requests[0].path == "/api/v2/alerts")
            let labels = #"{"alertname": "oauth_circuit_breaker_open", "severity": "critical", "provider": "github"}"#
            let annotations = #"{"summary": "breaker open for github", "description": "3 failures in a row"}"#
            self.expectJSON(
                requests[0],
                """
                [{"labels": \(labels), "annotations": \(annotations), "startsAt": "2026-04-24T03:06:40.000Z",
                  "generatorURL": "http://127.0.0.1:9464/rules"},
                 {"labels": \(labels), "annotations": \(annotations), "startsAt": "2026-04-24T03:06:40.000Z",
                  "endsAt": "2026-04-24T03:07:40.000Z", "generatorURL": "http://127.0.0.1:9464/rules"}]
                """
            )
        }
    }

    @Test("an HTTP error names the notifier, host and status, never the URL path, query or key")
    func errorsHideSecrets() async throws {
        try await LoopbackReceiver.with(behaviour: { _ in .status(403) }) { receiver in
            let slack = SlackNotifier(
                name: "team-slack", url: Secret(receiver.baseURL + "/services/XXXXSECRET?k=PATHSECRET"),
                httpClient: .shared
            )
            let pagerDuty = PagerDutyNotifier(
                name: "oncall", routingKey: Secret("ROUTINGSECRET"), url: receiver.baseURL + "/v2/enqueue",
                httpClient: .shared
            )
            for notifier in [slack, pagerDuty] as [any Notifier] {
                let error = try await #require(throws: NotifierError.self) {
                    try await notifier.deliver([breakerAlert()])
                }
                let text = "\(error) \(String(reflecting: error))"
                #expect(text.contains("'\(notifier.name)'"))
                #expect(text.contains("127.0.0.1 answered HTTP 403"))
                #expect(error.status == 403)
                #expect(!error.isRetryable)
                for secret in ["XXXXSECRET", "PATHSECRET", "ROUTINGSECRET", "enqueue", "services"] {
                    #expect(!text.contains(secret))
                }
            }
        }
    }

    @Test("a secret prints as a fingerprint; a secret URL as host and fingerprint")
    func secretDescription() {
        let secret = Secret("https://hooks.slack.com/services/T0/B0/SECRETPART")
        #expect(secret.description.hasPrefix("secret(sha256:"))
        #expect(secret.description.count == "secret(sha256:)".count + 8)
        #expect(!"\(secret) \(String(reflecting: secret)) \(secret.redactedURL)".contains("SECRETPART"))
        #expect(secret.redactedURL == "hooks.slack.com \(secret)")
        let settings = NotifierSettings(kind: .slack(url: secret))
        #expect(!"\(settings)".contains("SECRETPART"))
    }
}
