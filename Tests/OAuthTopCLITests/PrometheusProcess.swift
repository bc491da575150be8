import Foundation
import OAuthTopTestKit

/// Debian's real Prometheus (`prometheus`) on a free loopback port, with a private storage directory and a scrape
/// configuration of the test's; ``with(scrapeConfig:_:)`` stops it and removes the directory whatever the body does.
struct PrometheusProcess: Sendable {
    static let binary = "/usr/bin/prometheus"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: Self.binary) }

    let server: LoopbackServerProcess

    /// `http://127.0.0.1:PORT`.
    var baseURL: String { self.server.baseURL }
    var port: Int { self.server.port }
    /// The last lines Prometheus logged, for failure messages.
    var logTail: String { self.server.logTail }

    /// Starts Prometheus with `scrapeConfig` (a whole `prometheus.yml`), waits until `/-/ready` answers 200, runs
    /// `body`, and stops it.
    static func with<T: Sendable>(scrapeConfig: String, _ body: (PrometheusProcess) async throws -> T) async throws -> T
    {
        try await LoopbackServerProcess.with(
            name: "Prometheus", binary: Self.binary, files: ["prometheus.yml": scrapeConfig],
            arguments: { port, directory in
                [
                    "--config.file=\(directory.appendingPathComponent("prometheus.yml").path)",
                    "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                    "--web.listen-address=127.0.0.1:\(port)",
                ]
            },
            ready: { base in (try? await LoopbackHTTP.get(base + "/-/ready"))?.status == 200 }
        ) { server in
            try await body(PrometheusProcess(server: server))
        }
    }
}
