import Foundation
import OAuthTopTestKit
import Testing

/// `oauthtop run` with an Alertmanager notifier, against Debian's real Alertmanager: a rule that fires and
/// resolves by itself shows up as active in Alertmanager, then is resolved there.
@Suite("alerting end to end: Alertmanager", .tags(.slow, .realServer))
struct AlertmanagerEndToEndTests {
    static let alertname = "OAuthTopE2EFlapping"

    static let rules = """
        groups:
          - name: e2e
            rules:
              - alert: \(alertname)
                expr: \(AlertingRun.flappingExpression)
                for: 0s
                labels:
                  severity: critical
                annotations:
                  summary: "e2e alert from oauthtop, value {{ $value }}"

        """

    @Test(
        "a firing alert becomes active in Alertmanager, then resolved; JSON lines, exit 0, notifications counted",
        .enabled(if: AlertmanagerProcess.isInstalled, "needs /usr/bin/prometheus-alertmanager"),
        .timeLimit(.minutes(3))
    )
    func firingThenResolved() async throws {
        try await AlertmanagerProcess.with { alertmanager in
            let alerting = """
                  rule_files: [e2e.rules.yaml]
                  evaluation_interval: 1s
                  notifiers:
                    am: {type: alertmanager, url: \(alertmanager.baseURL)}
                  routes:
                    default: [am]

                """
            try await AlertingRun.with(alerting: alerting, rules: Self.rules) { run in
                // Up to 16 s for the rule's window to open, plus startup.
                let active = try await self.waitFor(alertmanager, timeout: .seconds(45)) { alert in
                    alert.map { Self.state(of: $0) == "active" } ?? false
                }
                let shown = try #require(active, "the alert never became active in Alertmanager")
                let labels = shown["labels"] as? [String: String] ?? [:]
                #expect(labels["severity"] == "critical", "labels: \(labels)")
                let annotations = shown["annotations"] as? [String: String] ?? [:]
                #expect(
                    annotations["summary"]?.hasPrefix("e2e alert from oauthtop, value ") == true,
                    "annotations: \(annotations)"
                )
                #expect(try run.daemon.events().contains {
                    $0.event == "alert_firing" && $0.string("alertname") == Self.alertname
                })

                // The window closes at most 8 s after it opened; Alertmanager then stops listing it as active.
                let resolved = try await self.waitFor(alertmanager, timeout: .seconds(20)) { alert in
                    alert.map { Self.state(of: $0) != "active" } ?? true
                }
                #expect(resolved != nil, "Alertmanager still lists the alert as active")
                try run.expectFiringThenResolved(Self.alertname)

                // The firing and the resolved notification, counted once Alertmanager has answered.
                let series = #"oauthtop_notifications_sent_total{notifier="am"}"#
                let counted = try await eventually(timeout: .seconds(10)) { try await run.sample(series) ?? 0 >= 2 }
                let value = try await run.sample(series)
                #expect(counted, "\(series) is \(String(describing: value))")
            }
        }
    }

    /// Polls Alertmanager's alerts until `condition` holds for ours (`nil` when it is not listed);
    /// returns the alert (or an empty object when gone), or `nil` on timeout.
    private func waitFor(
        _ alertmanager: AlertmanagerProcess,
        timeout: Duration,
        _ condition: ([String: Any]?) -> Bool
    ) async throws -> [String: Any]? {
        var found: [String: Any]?
        let held = try await eventually(timeout: timeout) {
            let ours = try await alertmanager.alerts().first {
                ($0["labels"] as? [String: String])?["alertname"] == Self.alertname
            }
            guard condition(ours) else { return false }
            found = ours ?? [:]
            return true
        }
        return held ? found : nil
    }

    private static func state(of alert: [String: Any]) -> String? {
        (alert["status"] as? [String: Any])?["state"] as? String
    }
}
