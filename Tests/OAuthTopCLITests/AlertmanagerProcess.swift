import Foundation
import OAuthTopTestKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Debian's real Alertmanager (`prometheus-alertmanager`) on a free loopback port, clustering off, with
/// a private storage directory; ``with(_:)`` stops it and removes the directory whatever the body does.
final class AlertmanagerProcess: Sendable {
    static let binary = "/usr/bin/prometheus-alertmanager"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: Self.binary) }

    let port: Int
    let directory: URL
    private let process: Process

    var baseURL: String { "http://127.0.0.1:\(self.port)" }

    private init() throws {
        self.port = try freeLoopbackPort()
        self.directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("oauthtop-cli-am-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        let config = self.directory.appendingPathComponent("alertmanager.yml")
        try "route: {receiver: none}\nreceivers: [{name: none}]\n".write(to: config, atomically: true, encoding: .utf8)
        let log = self.directory.appendingPathComponent("alertmanager.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        defer { try? logHandle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "--web.listen-address=127.0.0.1:\(self.port)",
            "--storage.path=\(self.directory.appendingPathComponent("data").path)",
            // Empty: no gossip listener (it would bind 0.0.0.0:9094).
            "--cluster.listen-address=",
            "--config.file=\(config.path)",
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        self.process = process
    }

    /// Starts Alertmanager, waits until `/-/ready` answers 200, runs `body`, and stops it.
    static func with<T: Sendable>(_ body: (AlertmanagerProcess) async throws -> T) async throws -> T {
        let alertmanager = try AlertmanagerProcess()
        defer { alertmanager.stop() }
        let ready = await eventually(timeout: .seconds(30)) {
            guard alertmanager.process.isRunning else { return false }
            return (try? await LoopbackHTTP.get(alertmanager.baseURL + "/-/ready"))?.status == 200
        }
        guard ready else {
            throw CLITestFailure(
                "Alertmanager did not become ready on port \(alertmanager.port): \(alertmanager.logTail)"
            )
        }
        return try await body(alertmanager)
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

    /// The last lines Alertmanager logged, for failure messages.
    var logTail: String {
        let text = (try? String(contentsOf: self.directory.appendingPathComponent("alertmanager.log"), encoding: .utf8))
        return (text ?? "").split(separator: "\n").suffix(10).joined(separator: "\n")
    }

    private func stop() {
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGTERM)
            // Bounded: Alertmanager stops within milliseconds on SIGTERM; SIGKILL if it does not.
            for _ in 0..<200 where self.process.isRunning { usleep(25_000) }
            if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: self.directory)
    }
}
