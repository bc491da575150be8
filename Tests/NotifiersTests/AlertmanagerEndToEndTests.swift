import AsyncHTTPClient
import Foundation
import Notifiers
import OAuthTopTestKit
import Testing

/// A real Alertmanager (Debian's prometheus-alertmanager) on a free loopback port.
final class AlertmanagerProcess: Sendable {
    static let binary = "/usr/bin/prometheus-alertmanager"
    let port: Int
    let directory: URL
    let pid: Int32

    var baseURL: String { "http://127.0.0.1:\(self.port)" }

    init() throws {
        self.port = try freeLoopbackPort()
        self.directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("oauthtop-am-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        let config = self.directory.appendingPathComponent("alertmanager.yml")
        try "route: {receiver: none}\nreceivers: [{name: none}]\n".write(to: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "--web.listen-address=127.0.0.1:\(self.port)",
            "--storage.path=\(self.directory.appendingPathComponent("data").path)",
            "--cluster.listen-address=",
            "--config.file=\(config.path)",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.pid = process.processIdentifier
    }

    /// Kills the process and removes its directory.
    func stop() {
        _ = kill(self.pid, SIGKILL)
        try? FileManager.default.removeItem(at: self.directory)
    }

    func get(_ path: String) async throws -> (status: Int, body: Any?) {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: self.baseURL + path), timeout: .seconds(5)
        )
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), try? JSONSerialization.jsonObject(with: Data(buffer: buffer)))
    }

    /// The alerts `GET /api/v2/alerts{query}` lists.
    func alerts(_ query: String = "") async -> [[String: Any]] {
        ((try? await self.get("/api/v2/alerts" + query))?.body as? [[String: Any]]) ?? []
    }
}

@Suite("Alertmanager end to end", .tags(.slow, .realServer))
struct AlertmanagerEndToEndTests {
    @Test(
        "a real Alertmanager receives a firing alert, then its resolution",
        .enabled(if: FileManager.default.isExecutableFile(atPath: AlertmanagerProcess.binary),
                 "needs /usr/bin/prometheus-alertmanager (apt-get install prometheus-alertmanager)")
    )
    func firingThenResolved() async throws {
        let alertmanager = try AlertmanagerProcess()
        defer { alertmanager.stop() }
        let ready = await eventually(timeout: .seconds(30)) {
            (try? await alertmanager.get("/-/ready"))?.status == 200
        }
        try #require(ready, "Alertmanager did not become ready on port \(alertmanager.port)")

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
