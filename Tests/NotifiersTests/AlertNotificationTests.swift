import Foundation
import Notifiers
import Primitives
import Synchronization
import Testing

@Suite("Alert notifications")
struct AlertNotificationTests {
    @Test(
        "the fingerprint is Prometheus' FNV-1a 64 label-set fingerprint",
        arguments: [
            (
                ["alertname": "oauth_circuit_breaker_open", "severity": "critical", "provider": "github"],
                "2d87f595c53a2d9f"
            ),
            (["alertname": "x"], "d240efc3896bf266"),
            ([:], "cbf29ce484222325"),
        ]
    )
    func fingerprint(labels: [String: String], expected: String) {
        #expect(AlertNotification.fingerprint(of: labels) == expected)
        let alert = AlertNotification(status: .firing, labels: labels, startsAt: testStart)
        #expect(alert.fingerprint == expected)
    }

    @Test("the fingerprint depends on labels only, not on annotations, status or times")
    func fingerprintIgnoresTheRest() {
        #expect(breakerAlert().fingerprint == breakerAlert(status: .resolved).fingerprint)
        var other = breakerAlert()
        other.labels["provider"] = "google"
        #expect(other.fingerprint != breakerAlert().fingerprint)
    }

    @Test("stdout prints one JSON object per line per alert")
    func stdoutLines() async throws {
        let lines = Mutex<[String]>([])
        let writer = JSONLineWriter { line in
            lines.withLock { $0.append(line) }
            return true
        }
        let notifier = StdoutNotifier(name: "out", writer: writer)
        try await notifier.deliver([breakerAlert(), breakerAlert(status: .resolved)])
        let written = lines.withLock { $0 }
        try #require(written.count == 2)
        #expect(written.allSatisfy { $0.hasSuffix("\n") && $0.dropLast().firstIndex(of: "\n") == nil })
        #expect(
            written[0]
                == #"{"annotations":{"description":"3 failures in a row","summary":"breaker open for github"},"#
                + #""fingerprint":"2d87f595c53a2d9f","generatorURL":"http://127.0.0.1:9464/rules","#
                + #""labels":{"alertname":"oauth_circuit_breaker_open","provider":"github","severity":"critical"},"#
                + #""notifier":"out","startsAt":"2026-04-24T03:06:40.000Z","status":"firing","value":2}"# + "\n"
        )
        #expect(written[1].contains(#""endsAt":"2026-04-24T03:07:40.000Z""#))
        #expect(written[1].contains(#""status":"resolved""#))
    }

    @Test("a line writer whose output is gone stops writing instead of failing")
    func closedOutput() async throws {
        let attempts = Mutex(0)
        let writer = JSONLineWriter { _ in
            attempts.withLock { $0 += 1 }
            return false
        }
        let notifier = StdoutNotifier(name: "out", writer: writer)
        try await notifier.deliver([breakerAlert(), breakerAlert(), breakerAlert()])
        #expect(attempts.withLock { $0 } == 1)
    }

    @Test(
        "backoff ceilings double from the base up to the cap",
        arguments: [(1, 500), (2, 1000), (3, 2000), (7, 30000), (60, 30000)]
    )
    func backoff(attempt: Int, milliseconds: Int) {
        #expect(DeliveryPolicy().backoffCeiling(afterAttempt: attempt) == .milliseconds(milliseconds))
    }
}
