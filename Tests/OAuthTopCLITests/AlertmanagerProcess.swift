import Foundation
import OAuthTopTestKit

/// Debian's real Alertmanager (``AlertmanagerServer``) for the CLI's tests, with a reader of its alerts.
struct AlertmanagerProcess: Sendable {
    static var isInstalled: Bool { AlertmanagerServer.isInstalled }

    let server: LoopbackServerProcess

    var baseURL: String { self.server.baseURL }
    var port: Int { self.server.port }
    /// The last lines Alertmanager logged, for failure messages.
    var logTail: String { self.server.logTail }

    /// Starts Alertmanager, waits until `/-/ready` answers 200, runs `body`, and stops it.
    static func with<T: Sendable>(_ body: (AlertmanagerProcess) async throws -> T) async throws -> T {
        try await AlertmanagerServer.with(
            ready: { base in (try? await LoopbackHTTP.get(base + "/-/ready"))?.status == 200 }
        ) { server in
            try await body(AlertmanagerProcess(server: server))
        }
    }

    /// The alerts `GET /api/v2/alerts` lists, as JSON objects.
    func alerts() async throws -> [[String: Any]] {
        let response = try await LoopbackHTTP.get(self.baseURL + "/api/v2/alerts")
        guard response.status == 200,
            let alerts = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [[String: Any]]
        else {
            throw CLITestFailure("GET /api/v2/alerts answered \(response.status): \(response.body)")
        }
        return alerts
    }
}
