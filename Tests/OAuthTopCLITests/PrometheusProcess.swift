import Foundation
import OAuthTopTestKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Debian's real Prometheus (`prometheus`) on a free loopback port, with a private storage directory and a scrape
/// configuration of the test's; ``with(scrapeConfig:_:)`` stops it and removes the directory whatever the body does.
final class PrometheusProcess: Sendable {
    static let binary = "/usr/bin/prometheus"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: Self.binary) }

    let port: Int
    let directory: URL
    private let process: Process

    /// `http://127.0.0.1:PORT`.
    var baseURL: String { "http://127.0.0.1:\(self.port)" }

    private init(config: String) throws {
        self.port = try freeLoopbackPort()
        self.directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("oauthtop-cli-prom-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        let configFile = self.directory.appendingPathComponent("prometheus.yml")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let log = self.directory.appendingPathComponent("prometheus.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        defer { try? logHandle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "--config.file=\(configFile.path)",
            "--storage.tsdb.path=\(self.directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(self.port)",
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        self.process = process
    }

    /// Starts Prometheus with `scrapeConfig` (a whole `prometheus.yml`), waits until `/-/ready` answers 200, runs
    /// `body`, and stops it.
    static func with<T: Sendable>(scrapeConfig: String, _ body: (PrometheusProcess) async throws -> T) async throws -> T
    {
        let prometheus = try PrometheusProcess(config: scrapeConfig)
        defer { prometheus.stop() }
        let ready = await eventually(timeout: .seconds(60)) {
            guard prometheus.process.isRunning else { return false }
            return (try? await LoopbackHTTP.get(prometheus.baseURL + "/-/ready"))?.status == 200
        }
        guard ready else {
            throw CLITestFailure("Prometheus did not become ready on port \(prometheus.port): \(prometheus.logTail)")
        }
        return try await body(prometheus)
    }

    /// The last lines Prometheus logged, for failure messages.
    var logTail: String {
        let text = (try? String(contentsOf: self.directory.appendingPathComponent("prometheus.log"), encoding: .utf8))
        return (text ?? "").split(separator: "\n").suffix(10).joined(separator: "\n")
    }

    private func stop() {
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGTERM)
            // Bounded: Prometheus stops within a second on SIGTERM; SIGKILL if it does not.
            for _ in 0..<400 where self.process.isRunning { usleep(25_000) }
            if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: self.directory)
    }
}
