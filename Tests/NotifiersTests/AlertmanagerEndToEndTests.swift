import AsyncHTTPClient
import Foundation
import Notifiers
import OAuthTopTestKit
import Testing

/// Reads a real Alertmanager (``AlertmanagerServer``) over HTTP.
struct AlertmanagerAPI: Sendable {
    let baseURL: String

    static func get(_ url: String) async throws -> (status: Int, body: Any?) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), try? JSONSerialization.jsonObject(with: Data(buffer: buffer)))
    }

    /// The alerts `GET /api/v2/alerts{query}` lists.
    func alerts(_ query: String = "") async -> [[String: Any]] {
        ((try? await Self.get(self.baseURL + "/api/v2/alerts" + query))?.body as? [[String: Any]]) ?? []
    }
}

@Suite("Alertmanager end to end", .tags(.slow, .realServer))
struct AlertmanagerEndToEndTests {
    @Test(
        "a real Alertmanager receives a firing alert, then its resolution",
        .enabled(if: AlertmanagerServer.isInstalled,
                 "needs /usr/bin/prometheus-alertmanager (apt-get install prometheus-alertmanager)")
    )
    func firingThenResolved() async throws {
        try await AlertmanagerServer.with(ready: { (try? await AlertmanagerAPI.get($0 + "/-/ready"))?.status == 200 }) {
            server in
            try await self.firingThenResolved(AlertmanagerAPI(baseURL: server.baseURL))
        }
    }

    private func firingThenResolved(_ alertmanager: AlertmanagerAPI) async throws {
        let notifier = AlertmanagerNotifier(name: "am", baseURL: alertmanager.baseURL, httpClient: .shared)
        let startsAt = Date().addingTimeInterval(-60)
        var alert = AlertNotification(
            status: .firing,
            labels: ["alertname": "oauth_circuit_breaker_open", "severity": "critical", "provider": "github"],
            annotations: ["summary": "breaker open for github"],
            startsAt: startsAt,
            endsAt: Date().addingTimeInterval(600),
            generatorURL: "http://127.0.0.1:9464/rules"
        )
        try await notifier.deliver([alert])
        let active = await eventually {
            await alertmanager.alerts().contains { shown in
                (shown["status"] as? [String: Any])?["state"] as? String == "active"
                    && (shown["labels"] as? [String: String])?["provider"] == "github"
            }
        }
        try #require(active, "the firing alert did not show as active")
        let shown = try #require(await alertmanager.alerts().first)
        // Our fingerprint is Alertmanager's: the same FNV-1a label-set hash.
        #expect(shown["fingerprint"] as? String == alert.fingerprint)
        #expect((shown["annotations"] as? [String: String])?["summary"] == "breaker open for github")

        alert.status = .resolved
        alert.endsAt = Date()
        try await notifier.deliver([alert])
        let resolved = await eventually {
            await alertmanager.alerts("?active=true").isEmpty
        }
        #expect(resolved, "the resolved alert is still listed as active")
    }
}
