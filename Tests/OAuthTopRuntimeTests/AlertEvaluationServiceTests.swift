import Alerting
import Foundation
import CoreMetrics
import Logging
import OAuthTopConfig
import Synchronization
import Telemetry
import TokenManager
import Testing

@testable import OAuthTopRuntime

/// The runtime's rule evaluation over the real Telemetry collector: the seed's breaker rule written as the
/// seed writes it, events in order, notifications with their route, the dashboard's alert rows.
@Suite("Alert evaluation service")
struct AlertEvaluationServiceTests {
    final class Recorder: Sendable {
        let events = Mutex<[String]>([])
        let notifications = Mutex<[(name: String, state: AlertState, route: String?, resend: Bool)]>([])
    }

    @Test("the seed's breaker rule fires, re-sends, resolves; events and notifications carry the route")
    func breakerRule() throws {
        let collector = TelemetryCollector()
        let breaker = collector.makeRecorder(
            label: "oauth_circuit_breaker_state", dimensions: [("provider", "github")], aggregate: false)
        let recorder = Recorder()
        let service = AlertEvaluationService(
            groups: RuleFileParser.defaultGroups(),
            collector: collector,
            interval: .seconds(15),
            resendDelay: .seconds(60),
            logger: Logger(label: "test")
        ) { due in
            recorder.notifications.withLock {
                $0 += due.map { ($0.alert.name, $0.alert.state, $0.route, $0.isResend) }
            }
        }
        service.subscribe { event in
            recorder.events.withLock { $0.append("\(event.kind.rawValue) \(event.fields.first?.value ?? .string(""))") }
        }
        let start: Int64 = 1_700_000_000_000
        // Breaker closed for 30 s, open for 90 s, then closed again; sampled every second.
        for second in 0..<180 {
            breaker.record(Double(second >= 30 && second < 120 ? 2 : 0))
            collector.sample(at: start + Int64(second) * 1000)
            if second % 15 == 0 {
                service.evaluate(at: start + Int64(second) * 1000)
            }
            if second == 60 {
                let rows = service.alertRows()
                #expect(rows.map(\.name) == ["oauth_circuit_breaker_open"])
                #expect(rows.first?.state == .firing)
                #expect(rows.first?.severity == "critical")
            }
        }
        #expect(
            recorder.events.withLock { $0 } == [
                "alert_firing string(\"oauth_circuit_breaker_open\")",
                "alert_resolved string(\"oauth_circuit_breaker_open\")",
            ])
        let sent = recorder.notifications.withLock { $0 }
        // Firing at 30 s; re-sent when more than 60 s have passed (105 s); resolved at 120 s.
        #expect(sent.map(\.state) == [.firing, .firing, .inactive])
        #expect(sent.map(\.resend) == [false, true, false])
        #expect(sent.allSatisfy { $0.route == "page_oncall" && $0.name == "oauth_circuit_breaker_open" })
        #expect(service.alertRows().isEmpty)
        #expect(collector.currentValue(name: "oauthtop_rule_evaluations_total") == 12)
    }

    @Test("the notification for a resolved alert ends when it resolved; a firing one when its validity ends")
    func notificationTimes() throws {
        var alert = Alert(
            labels: Labels(["alertname": "A", "severity": "page"]),
            annotations: ["summary": "s"],
            state: .firing,
            value: 3,
            activeAt: 1_000,
            validUntil: 241_000
        )
        let firing = AlertingSetup.notification(
            .init(alert: alert, isResend: true, route: nil))
        #expect(firing.status == .firing)
        #expect(firing.endsAt?.timeIntervalSince1970 == 241)
        #expect(firing.isResend)
        alert.state = .inactive
        alert.resolvedAt = 60_000
        let resolved = AlertingSetup.notification(
            .init(alert: alert, isResend: false, route: nil))
        #expect(resolved.status == .resolved)
        #expect(resolved.startsAt.timeIntervalSince1970 == 1)
        #expect(resolved.endsAt?.timeIntervalSince1970 == 60)
        #expect(resolved.labels == ["alertname": "A", "severity": "page"])
    }

    @Test("alert states survive a restart: a firing alert is not announced again and resolves later")
    func restartKeepsAlertState() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("oauthtop-alerts-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("alerts.json").path
        let start: Int64 = 1_700_000_000_000
        let now = Mutex(start)

        func run(_ seconds: ClosedRange<Int>, open: @escaping (Int) -> Bool) -> (events: [String], sent: [Bool]) {
            let collector = TelemetryCollector()
            let breaker = collector.makeRecorder(
                label: "oauth_circuit_breaker_state", dimensions: [("provider", "github")], aggregate: false
            )
            let recorder = Recorder()
            let service = AlertEvaluationService(
                groups: RuleFileParser.defaultGroups(),
                collector: collector,
                clock: { now.withLock { $0 } },
                statePath: path,
                logger: Logger(label: "test")
            ) { due in
                recorder.notifications.withLock { $0 += due.map { ($0.alert.name, $0.alert.state, $0.route, $0.isResend) } }
            }
            service.subscribe { event in recorder.events.withLock { $0.append(event.kind.rawValue) } }
            service.restoreState()
            for second in seconds {
                let time = start + Int64(second) * 1000
                now.withLock { $0 = time }
                breaker.record(Double(open(second) ? 2 : 0))
                collector.sample(at: time)
                if second % 15 == 0 {
                    service.evaluate(at: time)
                }
            }
            service.saveState()
            return (recorder.events.withLock { $0 }, recorder.notifications.withLock { $0.map(\.resend) })
        }

        let first = run(0...30) { _ in true }
        #expect(first.events == ["alert_firing"])
        #expect(first.sent == [false])
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        // Restarted 60 s later: still open, then closed.
        let second = run(90...150) { $0 < 120 }
        #expect(second.events == ["alert_resolved"], "no second alert_firing after the restart")
        #expect(second.sent == [true, false], "a re-send while firing, then the resolved notification")
    }
}
