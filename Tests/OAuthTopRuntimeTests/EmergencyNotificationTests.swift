import Alerting
import Foundation
import Logging
import Notifiers
import OAuthTopConfig
import OAuthTopTestKit
import Synchronization
import Telemetry
import Testing
import TokenManager

@testable import OAuthTopRuntime

/// The built-in emergency alert end to end: a token manager whose provider runs out of methods twice, the rule
/// evaluator over the real collector, and a webhook notifier posting to a loopback receiver. Each outage is told
/// once (one firing message, then its resolution), with each method's error and no secret.
@Suite("Emergency alert: one notification per outage, through the routes")
struct EmergencyNotificationTests {
    /// Answers every request with a short-lived token while up, refuses the connection while down.
    final class SwitchTransport: TokenEndpointTransport {
        let up = Mutex(false)
        let issued = Mutex(0)

        func send(_ request: TokenEndpointRequest, timeout: TimeoutStep) async throws(AttemptFailure)
            -> TokenEndpointResponse
        {
            guard self.up.withLock({ $0 }) else {
                throw AttemptFailure(kind: .connectionRefused, code: "connection_refused", detail: "switched off")
            }
            let number = self.issued.withLock { count -> Int in
                count += 1
                return count
            }
            let json = #"{"access_token":"oauth-token-\#(number)-secret","token_type":"Bearer","expires_in":1}"#
            return TokenEndpointResponse(
                status: 200, headers: [("Content-Type", "application/json")], body: Array(json.utf8)
            )
        }

        func shutdown() async {}
    }

    static let clientSecret = "emergency-test-client-secret-0123456789"
    static let key = "emergency-test-static-key-0123456789abcdef"

    @Test("two outages: the webhook gets one firing message each (with every method's error) and one resolution")
    func twoOutages() async throws {
        let approval = FileManager.default.temporaryDirectory.appendingPathComponent("never-\(UUID().uuidString)")
            .path
        let provider = ProviderConfiguration(
            name: "p", grant: .clientCredentials, tokenEndpoints: ["http://p.test/token"], clientID: "client",
            clientSecret: Secret(Self.clientSecret), retry: RetryPolicy(maxAttempts: 1),
            breaker: BreakerPolicy(failureThreshold: 1000, coolDown: .seconds(1)),
            fallback: [.emergencyKey(Secret(Self.key), maxDuration: .seconds(600), approvalFile: approval)]
        )
        let transport = SwitchTransport()
        let collector = TelemetryCollector()
        let manager = OAuthTokenManager(
            providers: [provider], transport: transport, metricsFactory: collector, logger: Logger(label: "test")
        )
        let emergencies = Mutex<[TokenEvent]>([])
        manager.subscribe { event in if event.kind == .emergency { emergencies.withLock { $0.append(event) } } }

        try await LoopbackReceiver.with { receiver in
            // No route for the rule's action (page_oncall): the default route, as for any rule.
            let settings = AlertingSettings(
                notifiers: [
                    "hook": NotifierSettings(kind: .webhook(url: Secret(receiver.baseURL + "/hook"), headers: [:]))
                ],
                routes: [:], defaultRoute: ["hook"]
            )
            let alerting = AlertingSetup(
                groups: RuleFileParser.withEmergencyRule([]), settings: settings, collector: collector,
                manager: manager, logger: Logger(label: "test")
            )
            let dispatcher = try #require(alerting.dispatcher)
            let task = Task { try await dispatcher.run() }
            defer { task.cancel() }
            var time: Int64 = 1_700_000_000_000
            func evaluate(_ count: Int) {
                for _ in 0..<count {
                    // Past the re-send delay each time: the webhook, which wants no re-sends, still gets none.
                    time += 61_000
                    manager.publishGauges()
                    collector.sample(at: time)
                    alerting.evaluation.evaluate(at: time)
                }
            }

            for outage in 1...2 {
                // Down: the token runs out (1 s), OAuth fails, the key is not approved: emergency mode.
                transport.up.withLock { $0 = false }
                let entered = await eventually {
                    _ = try? await manager.token(for: "p")
                    return emergencies.withLock { $0.count } == outage
                }
                try #require(entered, "outage \(outage): no emergency")
                evaluate(3)
                // Up: OAuth gives a token again, which ends emergency mode.
                transport.up.withLock { $0 = true }
                let id = try #require(manager.provider(named: "p"))
                _ = try await manager.refresh(id)
                #expect(manager.snapshot().first?.emergency == nil)
                evaluate(1)
                // The resolution comes after everything queued before it (one queue per notifier). A busy
                // receiver may get both of an outage in one document, so the alerts are counted, not requests.
                let told = await eventually { alerts().count == 2 * outage }
                #expect(told, "outage \(outage): \(receiver.requests.map(\.body))")
            }
            /// Every alert the webhook received, in order, across its documents.
            func alerts() -> [[String: Any]] {
                receiver.requests(to: "/hook").flatMap { $0.jsonObject["alerts"] as? [[String: Any]] ?? [] }
            }
            let received = alerts()
            #expect(received.map { $0["status"] as? String } == ["firing", "resolved", "firing", "resolved"])
            try #require(received.count == 4)
            for alert in [received[0], received[2]] {
                let labels = alert["labels"] as? [String: String] ?? [:]
                #expect(labels["alertname"] == "oauth_emergency_mode" && labels["provider"] == "p")
                #expect(labels["severity"] == "critical")
                let annotations = alert["annotations"] as? [String: String] ?? [:]
                let tried = annotations["tried"] ?? ""
                #expect(tried.hasPrefix("1) OAuth (connection_refused): provider 'p'"), "\(tried)")
                let keyEntry = "2) emergency key secret(sha256:\(Secret.fingerprint(of: Self.key))) (not_approved): "
                #expect(tried.contains(keyEntry + "not approved: approval file '\(approval)'"), "\(tried)")
                #expect(annotations["description"]?.hasPrefix("no method gives p a token since ") == true)
                #expect(annotations["summary"] == "p: emergency mode, no method gives a token")
            }
            let everything = receiver.requests.map(\.body).joined(separator: "\n")
            for secret in [Self.key, Self.clientSecret, "oauth-token-"] {
                #expect(!everything.contains(secret), "a secret in a notification: \(secret)")
            }
            task.cancel()
            _ = await task.result
        }
        await manager.shutdown()
    }

    @Test("the annotations are added to a firing emergency alert only, and never replace the rule's own")
    func annotationsOnlyWhereDue() {
        let status = EmergencyStatus(
            since: 1_700_000_000_000_000_000,
            tried: [FallbackAttempt(method: "oauth", entry: "OAuth", reason: "breaker_open", detail: "open")]
        )
        func alert(_ name: String, state: AlertState = .firing, annotations: [String: String] = [:]) -> Alert {
            Alert(
                labels: Labels(["alertname": name, "provider": "p"]), annotations: annotations, state: state, value: 1,
                activeAt: 0
            )
        }
        let firing = EmergencyAnnotations.annotations(of: alert("oauth_emergency_mode")) { _ in status }
        #expect(firing["tried"] == "1) OAuth (breaker_open): open")
        #expect(
            firing["description"]
                == "no method gives p a token since 2023-11-14T22:13:20Z; tried: 1) OAuth (breaker_open): open"
        )
        let own = EmergencyAnnotations.annotations(
            of: alert("oauth_emergency_mode", annotations: ["description": "mine"])
        ) { _ in status }
        #expect(own["description"] == "mine" && own["tried"] != nil)
        #expect(EmergencyAnnotations.annotations(of: alert("other")) { _ in status }.isEmpty)
        let resolved = EmergencyAnnotations.annotations(of: alert("oauth_emergency_mode", state: .inactive)) { _ in
            status
        }
        #expect(resolved.isEmpty)
        #expect(EmergencyAnnotations.annotations(of: alert("oauth_emergency_mode")) { _ in nil }.isEmpty)
    }
}
